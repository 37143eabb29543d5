import type { AuditEvent } from '@elyzor/sdk';
import type { ReactNode } from 'react';

const changed = (event: AuditEvent): string => (event.changes === null ? '' : Object.keys(event.changes).join(', '));

/** Audit entries, newest first. */
export function AuditTable({ events }: { events: AuditEvent[] }): ReactNode {
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[32rem] text-left text-sm">
        <caption className="sr-only">Audit entries</caption>
        <thead className="border-b border-slate-200 text-xs uppercase text-slate-600">
          <tr>
            <th scope="col" className="py-2 pr-2">When</th>
            <th scope="col" className="py-2 pr-2">Action</th>
            <th scope="col" className="py-2 pr-2">By</th>
            <th scope="col" className="py-2 pr-2">Changed</th>
            <th scope="col" className="py-2">From</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {events.map((event) => (
            <tr key={event.id}>
              <td className="py-2 pr-2 whitespace-nowrap">{new Date(event.createdAt).toLocaleString()}</td>
              <td className="py-2 pr-2 font-mono text-xs">
                {event.action}
                {event.count > 1 ? ` ×${event.count}` : ''}
              </td>
              <td className="py-2 pr-2">{event.actorType ?? 'elyzor'}</td>
              <td className="py-2 pr-2">{changed(event)}</td>
              <td className="py-2">{event.ip ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
