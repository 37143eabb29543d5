import type { IssuedWebhook, Webhook } from '@elyzor/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useParams } from 'react-router';
import { SecretOnce } from '../components/secret-once';
import { Button, Card, EmptyState, ErrorNote, Loading } from '../components/ui';
import { WebhookForm, type WebhookValues } from '../components/webhook-form';
import { messageOf, useClient } from '../session';
import { abilities, useRoleIn } from '../workspace';
import { useProjects } from './projects';
import { allItems } from '../all-items';

/** A signing secret is kept (sealed) to sign with; a credential's, only as a digest. */
const SEALED = 'Elyzor keeps it sealed, only to sign deliveries.';

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

/** One webhook: its endpoint and events, edit (URL, events, enabled), a new signing secret (shown once), delete, its deliveries. */
function WebhookItem({ projectId, webhook }: { projectId: string; webhook: Webhook }): ReactNode {
  const client = useClient();
  const queries = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const again = () => queries.invalidateQueries({ queryKey: ['webhooks', projectId] });
  const update = useMutation({
    mutationFn: (values: WebhookValues) => client.webhooks.update(projectId, webhook.id, values),
    onSuccess: () => {
      setEditing(false);
      return again();
    },
  });
  const rotate = useMutation({ mutationFn: () => client.webhooks.rotateSecret(projectId, webhook.id), onSuccess: (result) => setSecret(result.secret) });
  const remove = useMutation({ mutationFn: () => client.webhooks.delete(projectId, webhook.id), onSuccess: again });
  return (
    <li className="py-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <span className="break-all font-mono text-sm">
          {webhook.url}
          {!webhook.enabled && <span className="ml-2 rounded bg-slate-200 px-1.5 py-0.5 font-sans text-xs font-medium text-slate-800">disabled</span>}
        </span>
        <span className="flex flex-wrap gap-2">
          <Button onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
            Edit
          </Button>
          <Button onClick={() => rotate.mutate()} disabled={rotate.isPending}>
            Rotate secret
          </Button>
          <Button onClick={() => remove.mutate()}>Delete</Button>
        </span>
      </div>
      <p className="text-xs text-slate-600">{webhook.events.join(', ')}</p>
      {rotate.error !== null && <ErrorNote error={messageOf(rotate.error)} />}
      {remove.error !== null && <ErrorNote error={messageOf(remove.error)} />}
      {secret !== null && (
        <div className="mt-2">
          <SecretOnce label="New signing secret" value={secret} onDone={() => setSecret(null)} kept={SEALED} />
        </div>
      )}
      {editing && (
        <div className="mt-2 rounded-md bg-slate-50 p-3">
          <WebhookForm
            mode="edit"
            initial={{ url: webhook.url, events: webhook.events as WebhookValues['events'], enabled: webhook.enabled }}
            busy={update.isPending}
            error={update.error === null ? null : messageOf(update.error)}
            onSubmit={(values) => update.mutate(values)}
            onCancel={() => setEditing(false)}
          />
        </div>
      )}
      <Deliveries projectId={projectId} webhook={webhook} />
    </li>
  );
}

/** A project's webhooks: create (the signing secret shown once), edit, rotate the secret, events, deliveries, redeliver, test. */
export function WebhooksPage(): ReactNode {
  const { projectId = '' } = useParams();
  const client = useClient();
  const queries = useQueryClient();
  const project = useProjects().data?.find((p) => p.id === projectId);
  const can = abilities(useRoleIn(project?.workspaceId));
  const [issued, setIssued] = useState<IssuedWebhook | null>(null);
  // A new form after each creation: its fields start empty again.
  const [made, setMade] = useState(0);
  const webhooks = useQuery({ queryKey: ['webhooks', projectId], queryFn: () => allItems(client.webhooks.iterate(projectId)), enabled: can.admin });
  const create = useMutation({
    mutationFn: ({ url, events }: WebhookValues) => client.webhooks.create(projectId, { url, events }),
    onSuccess: (result) => {
      setIssued(result);
      setMade((n) => n + 1);
      return queries.invalidateQueries({ queryKey: ['webhooks', projectId] });
    },
  });
  if (!can.admin) return <EmptyState title="Webhooks are managed by admins" next="Ask an admin or the owner of this workspace." />;
  return (
    <div className="space-y-4">
      {issued !== null && <SecretOnce label="Signing secret" value={issued.secret} onDone={() => setIssued(null)} kept={SEALED} />}
      <Card title="New webhook">
        <WebhookForm key={made} mode="create" busy={create.isPending} error={create.error === null ? null : messageOf(create.error)} onSubmit={(values) => create.mutate(values)} />
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
              <WebhookItem key={webhook.id} projectId={projectId} webhook={webhook} />
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
