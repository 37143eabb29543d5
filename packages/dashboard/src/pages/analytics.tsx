import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Card, EmptyState, ErrorNote, Loading, SelectField } from '../components/ui';
import { messageOf, useClient } from '../session';

type Range = '1d' | '7d' | '30d';

function Figure({ label, value }: { label: string; value: string }): ReactNode {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3">
      <p className="text-xs text-slate-600">{label}</p>
      <p className="text-2xl font-semibold">{value}</p>
    </div>
  );
}

/** A project's verifications: requests by day, success rate, rate-limit hits, latency, top keys. */
export function AnalyticsPage(): ReactNode {
  const { projectId = '' } = useParams();
  const client = useClient();
  const [range, setRange] = useState<Range>('7d');
  const stats = useQuery({ queryKey: ['stats', projectId, range], queryFn: () => client.stats.get(projectId, { range }) });
  return (
    <div className="space-y-4">
      <div className="flex items-end justify-between">
        <h2 className="text-lg font-semibold">Analytics</h2>
        <SelectField label="Range" value={range} onChange={(event) => setRange(event.target.value as Range)}>
          <option value="1d">Last day</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
        </SelectField>
      </div>
      {stats.isPending ? (
        <Loading what="Loading analytics" />
      ) : stats.error !== null ? (
        <ErrorNote error={messageOf(stats.error)} />
      ) : (
        <>
          <div className="grid grid-cols-2 gap-2 md:grid-cols-4" data-testid="figures">
            <Figure label="Requests" value={stats.data.totalRequests.toLocaleString('en')} />
            <Figure label="Success rate" value={`${(stats.data.successRate * 100).toFixed(1)} %`} />
            <Figure label="Rate-limit hits" value={stats.data.rateLimitHits.toLocaleString('en')} />
            <Figure label="Average latency" value={`${stats.data.avgLatencyMs.toFixed(2)} ms`} />
          </div>
          <Card title="Requests by day">
            {stats.data.totalRequests === 0 ? (
              <EmptyState title="No verifications yet" next="Verify one of this project's keys (POST /v1/verify) and it shows up here." />
            ) : (
              <div className="h-64 w-full" aria-hidden="true">
                <ResponsiveContainer width="100%" height="100%">
                  <LineChart accessibilityLayer={false} data={stats.data.requestsByDay.map((d) => ({ date: d.date.slice(5), requests: d.count, refused: d.errors }))} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
                    <CartesianGrid strokeDasharray="3 3" vertical={false} />
                    <XAxis dataKey="date" fontSize={12} />
                    <YAxis allowDecimals={false} fontSize={12} />
                    <Tooltip />
                    <Legend />
                    <Line type="monotone" dataKey="requests" stroke="#4f46e5" strokeWidth={2} />
                    <Line type="monotone" dataKey="refused" stroke="#dc2626" strokeWidth={2} />
                  </LineChart>
                </ResponsiveContainer>
              </div>
            )}
            <table className="mt-2 w-full text-left text-sm">
              <caption className="sr-only">Requests by day</caption>
              <thead className="text-xs uppercase text-slate-600">
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Requests</th>
                  <th scope="col">Refused</th>
                </tr>
              </thead>
              <tbody>
                {stats.data.requestsByDay.map((d) => (
                  <tr key={d.date}>
                    <td>{d.date}</td>
                    <td>{d.count}</td>
                    <td>{d.errors}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card title="Top keys">
            {stats.data.topKeys.length === 0 ? (
              <EmptyState title="No key used yet" next="The most verified keys appear here." />
            ) : (
              <ol className="space-y-1 text-sm">
                {stats.data.topKeys.map((k) => (
                  <li key={k.keyId} className="flex justify-between gap-2">
                    <Link className="truncate font-mono text-indigo-700 underline" to={`/projects/${projectId}/keys/${k.keyId}`}>
                      {k.keyId}
                    </Link>
                    <span>{k.requests.toLocaleString('en')}</span>
                  </li>
                ))}
              </ol>
            )}
          </Card>
        </>
      )}
    </div>
  );
}
