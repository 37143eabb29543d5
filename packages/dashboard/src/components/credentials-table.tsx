import type { Key, Service } from '@elyzor/sdk';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { StatusBadge } from './ui';

const nameOf = (credential: Key | Service): string => ('name' in credential ? credential.name : (credential.label ?? '(no label)'));

/** One page of keys or services, each linking to its own page. */
export function CredentialsTable({ rows, base }: { rows: Array<Key | Service>; base: string }): ReactNode {
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[36rem] text-left text-sm">
        <caption className="sr-only">Credentials</caption>
        <thead className="border-b border-slate-200 text-xs uppercase text-slate-600">
          <tr>
            <th scope="col" className="py-2 pr-2">Name</th>
            <th scope="col" className="py-2 pr-2">Prefix</th>
            <th scope="col" className="py-2 pr-2">Status</th>
            <th scope="col" className="py-2 pr-2">Env</th>
            <th scope="col" className="py-2 pr-2">Tags</th>
            <th scope="col" className="py-2 pr-2">Owner</th>
            <th scope="col" className="py-2">Last used</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => (
            <tr key={row.id}>
              <td className="py-2 pr-2">
                <Link className="font-medium text-indigo-700 hover:underline" to={`${base}/${row.id}`}>
                  {nameOf(row)}
                </Link>
              </td>
              <td className="py-2 pr-2 font-mono text-xs">{row.prefix}</td>
              <td className="py-2 pr-2">
                <StatusBadge status={row.status} />
              </td>
              <td className="py-2 pr-2">{row.environment}</td>
              <td className="py-2 pr-2">{row.tags.join(', ')}</td>
              <td className="py-2 pr-2">{row.ownerId ?? ''}</td>
              <td className="py-2">{row.lastUsedAt === null ? 'never' : new Date(row.lastUsedAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Matches a search over what a person sees in the table. */
export function matches(credential: Key | Service, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (needle === '') return true;
  return [nameOf(credential), credential.prefix, credential.id, credential.ownerId ?? '', ...credential.tags].some((text) => text.toLowerCase().includes(needle));
}
