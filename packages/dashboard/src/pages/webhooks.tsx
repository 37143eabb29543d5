import { WEBHOOK_EVENT_TYPES } from '@elyzor/contract/names';
import type { IssuedWebhook, Webhook, WebhookEventType as WebhookEvent } from '@elyzor/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useParams } from 'react-router';
import { SecretOnce } from '../components/secret-once';
import { Button, Card, CheckboxGroup, EmptyState, ErrorNote, Loading, TextField } from '../components/ui';
import { messageOf, useClient } from '../session';
import { abilities, useRoleIn } from '../workspace';
import { useProjects } from './projects';
import { allItems } from '../all-items';

interface Attempt {
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
}

function Deliveries({ projectId, webhook }: { projectId: string; webhook: Webhook }): ReactNode {
  const client = useClient();
  const queries = useQueryClient();
  const key = ['deliveries', projectId, webhook.id];
  const deliveries = useQuery({ queryKey: key, queryFn: () => allItems(client.webhooks.iterateDeliveries(projectId, webhook.id)) });
  const again = () => queries.invalidateQueries({ queryKey: key });
  const test = useMutation({ mutationFn: () => client.webhooks.test(projectId, webhook.id), onSuccess: again });
  const redeliver = useMutation({ mutationFn: (id: string) => client.webhooks.redeliver(projectId, webhook.id, id), onSuccess: again });
  return (
    <div className="mt-2">
      <div className="flex flex-wrap gap-2">
        <Button onClick={() => test.mutate()} disabled={test.isPending}>
          Send a test event
        </Button>
        <Button onClick={() => void again()}>Refresh deliveries</Button>
      </div>
      {test.error !== null && <ErrorNote error={messageOf(test.error)} />}
      {deliveries.isPending ? (
        <Loading what="Loading deliveries" />
      ) : deliveries.error !== null ? (
        <ErrorNote error={messageOf(deliveries.error)} />
      ) : deliveries.data.length === 0 ? (
        <p className="mt-2 text-sm text-slate-600">No deliveries yet: send a test event.</p>
      ) : (
        <ul className="mt-2 divide-y divide-slate-100 text-sm" aria-label="Deliveries">
          {deliveries.data.map((d) => {
            const log = (d.attemptLog as Attempt[] | undefined) ?? [];
            const last = log[log.length - 1];
            return (
              <li key={d.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <span>
                  <code className="text-xs">{d.type}</code> · <strong>{d.status}</strong> · {log.length} attempt(s)
                  {last !== undefined && ` · ${last.statusCode ?? last.error ?? ''} in ${Math.round(last.latencyMs)} ms`}
                </span>
                <Button onClick={() => redeliver.mutate(d.id)}>Redeliver</Button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** A project's webhooks: create (the signing secret shown once), events, deliveries, redeliver, test. */
export function WebhooksPage(): ReactNode {
  const { projectId = '' } = useParams();
  const client = useClient();
  const queries = useQueryClient();
  const project = useProjects().data?.find((p) => p.id === projectId);
  const can = abilities(useRoleIn(project?.workspaceId));
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['key.created', 'key.rotated', 'key.revoked']);
  const [issued, setIssued] = useState<IssuedWebhook | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const webhooks = useQuery({ queryKey: ['webhooks', projectId], queryFn: () => allItems(client.webhooks.iterate(projectId)), enabled: can.admin });
  const create = useMutation({
    mutationFn: () => client.webhooks.create(projectId, { url: url.trim(), events }),
    onSuccess: (result) => {
      setIssued(result);
      setUrl('');
      return queries.invalidateQueries({ queryKey: ['webhooks', projectId] });
    },
  });
  const remove = useMutation({ mutationFn: (id: string) => client.webhooks.delete(projectId, id), onSuccess: () => queries.invalidateQueries({ queryKey: ['webhooks', projectId] }) });
  if (!can.admin) return <EmptyState title="Webhooks are managed by admins" next="Ask an admin or the owner of this workspace." />;
  return (
    <div className="space-y-4">
      {issued !== null && <SecretOnce label="Signing secret" value={issued.secret} onDone={() => setIssued(null)} />}
      <Card title="New webhook">
        <form
          className="space-y-2"
          onSubmit={(event) => {
            event.preventDefault();
            if (!/^https?:\/\/\S+$/.test(url.trim())) return setProblem('An http(s) URL, like https://example.com/hooks/elyzor');
            if (events.length === 0) return setProblem('Choose at least one event.');
            setProblem(null);
            create.mutate();
          }}
        >
          <TextField label="Endpoint URL" type="url" value={url} onChange={(event) => setUrl(event.target.value)} />
          <CheckboxGroup legend="Events" options={WEBHOOK_EVENT_TYPES} chosen={events} onChange={setEvents} columns="sm:grid-cols-3" />
          {problem !== null && <ErrorNote error={problem} />}
          {create.error !== null && <ErrorNote error={messageOf(create.error)} />}
          <Button type="submit" tone="primary" disabled={create.isPending}>
            Create webhook
          </Button>
        </form>
      </Card>
      <Card title="Webhooks">
        {webhooks.isPending ? (
          <Loading what="Loading webhooks" />
        ) : webhooks.error !== null ? (
          <ErrorNote error={messageOf(webhooks.error)} />
        ) : webhooks.data.length === 0 ? (
          <EmptyState title="No webhooks yet" next="Add an endpoint to hear about keys created, rotated and revoked." />
        ) : (
          <ul className="divide-y divide-slate-200">
            {webhooks.data.map((webhook) => (
              <li key={webhook.id} className="py-3">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <span className="break-all font-mono text-sm">{webhook.url}</span>
                  <Button onClick={() => remove.mutate(webhook.id)}>Delete</Button>
                </div>
                <p className="text-xs text-slate-600">{webhook.events.join(', ')}</p>
                <Deliveries projectId={projectId} webhook={webhook} />
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
