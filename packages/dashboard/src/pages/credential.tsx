import type { IssuedKey, IssuedService, KeyWithUsage, ServiceWithUsage } from '@elyzor/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { AuditTable } from '../components/audit-table';
import { CredentialForm } from '../components/credential-form';
import { SecretOnce } from '../components/secret-once';
import { Button, Card, EmptyState, ErrorNote, Loading, SelectField, StatusBadge, TextField } from '../components/ui';
import { UsageChart } from '../components/usage-chart';
import { credentialApi } from '../credential-api';
import { valuesOf, type CredentialBody, type CredentialKind } from '../credential-form';
import { messageOf, useClient } from '../session';
import { abilities, useRoleIn } from '../workspace';
import { useProjects } from './projects';

type Shown = KeyWithUsage | ServiceWithUsage;

function Facts({ credential }: { credential: Shown }): ReactNode {
  const rows: Array<[string, string]> = [
    ['Prefix', credential.prefix],
    ['Environment', credential.environment],
    ['Scopes', credential.scopes.join(' ') || 'none'],
    ['Tags', credential.tags.join(', ') || 'none'],
    ['Owner', credential.ownerId ?? 'none'],
    ['Expires', credential.expiresAt === null ? 'never' : new Date(credential.expiresAt).toLocaleString()],
    ['Rate limit', credential.rateLimit === null ? 'server default' : JSON.stringify(credential.rateLimit)],
    ['Quota', credential.quota === null ? 'none' : JSON.stringify(credential.quota)],
    ['Credits', credential.credits === null ? 'none' : JSON.stringify(credential.credits)],
    ['Verifications', `${credential.usage.totalVerifications} (${credential.usage.last24h} in 24 h, ${(credential.usage.errorRate * 100).toFixed(1)} % refused)`],
    ['Created', new Date(credential.createdAt).toLocaleString()],
  ];
  if (credential.revokeReason !== null) rows.push(['Revoke reason', credential.revokeReason]);
  return (
    <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[10rem_1fr]">
      {rows.map(([term, detail]) => (
        <div key={term} className="contents">
          <dt className="text-slate-600">{term}</dt>
          <dd className="break-all">{detail}</dd>
        </div>
      ))}
    </dl>
  );
}

/** One key or service: its facts, usage chart, audit trail, and what can be done to it. */
export function CredentialPage({ kind }: { kind: CredentialKind }): ReactNode {
  const { projectId = '', credentialId = '' } = useParams();
  const client = useClient();
  const queries = useQueryClient();
  const project = useProjects().data?.find((p) => p.id === projectId);
  const can = abilities(useRoleIn(project?.workspaceId));
  const api = credentialApi(client, kind);
  const [range, setRange] = useState<'1d' | '7d' | '30d' | '90d'>('7d');
  const [editing, setEditing] = useState(false);
  const [grace, setGrace] = useState('3600');
  const [reason, setReason] = useState('');
  const [issued, setIssued] = useState<IssuedKey | IssuedService | null>(null);

  const credential = useQuery({ queryKey: ['credential', kind, projectId, credentialId], queryFn: () => api.get(projectId, credentialId) });
  const usage = useQuery({ queryKey: ['usage', kind, projectId, credentialId, range], queryFn: () => api.usage(projectId, credentialId, { range }) });
  const audit = useQuery({
    queryKey: ['audit', projectId, { [kind === 'keys' ? 'keyId' : 'serviceId']: credentialId }],
    queryFn: () => client.audit.list(projectId, { ...(kind === 'keys' ? { keyId: credentialId } : { serviceId: credentialId }), limit: 50 }),
  });
  const refresh = (): Promise<void> => queries.invalidateQueries({ predicate: (q) => ['credential', 'credentials', 'audit'].includes(String(q.queryKey[0])) });

  const update = useMutation({ mutationFn: (body: CredentialBody) => api.update(projectId, credentialId, body), onSuccess: () => (setEditing(false), refresh()) });
  const rotate = useMutation({
    mutationFn: () => api.rotate(projectId, credentialId, { gracePeriodSeconds: Number(grace) }),
    onSuccess: (result) => (setIssued(result), refresh()),
  });
  const revoke = useMutation({ mutationFn: () => api.revoke(projectId, credentialId, reason.trim() === '' ? {} : { reason: reason.trim() }), onSuccess: refresh });

  if (credential.isPending) return <Loading what="Loading" />;
  if (credential.error !== null) return <ErrorNote error={messageOf(credential.error)} />;
  const c = credential.data;
  const title = 'name' in c ? c.name : (c.label ?? '(no label)');
  const live = c.status !== 'revoked';
  const graceValid = /^\d+$/.test(grace) && Number(grace) <= 30 * 86_400;

  return (
    <div className="space-y-4">
      <p>
        <Link className="text-sm text-indigo-700 underline" to={`/projects/${projectId}/${kind}`}>
          ← All {kind === 'keys' ? 'API keys' : 'services'}
        </Link>
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="text-lg font-semibold">{title}</h2>
        <StatusBadge status={c.status} />
      </div>
      {issued !== null && (
        <SecretOnce
          label={`The replacement ${kind === 'keys' ? 'key' : 'credential'}${issued.previousKeyExpiresAt !== undefined ? `; the old one works until ${new Date(issued.previousKeyExpiresAt).toLocaleString()}` : ''}`}
          value={issued.key}
          onDone={() => setIssued(null)}
        />
      )}
      {c.replacedBy !== null && (
        <p className="text-sm">
          Replaced by{' '}
          <Link className="text-indigo-700 underline" to={`/projects/${projectId}/${kind}/${c.replacedBy}`}>
            its successor
          </Link>
          .
        </p>
      )}
      {editing ? (
        <Card title="Edit">
          <CredentialForm kind={kind} mode="update" initial={valuesOf(c)} busy={update.isPending} error={update.error === null ? null : messageOf(update.error)} onSubmit={(body) => update.mutate(body)} onCancel={() => setEditing(false)} />
        </Card>
      ) : (
        <Card
          title="Details"
          actions={
            can.write &&
            live && (
              <div className="flex gap-2">
                <Button onClick={() => setEditing(true)}>Edit</Button>
                <Button onClick={() => update.mutate({ enabled: !c.enabled })} disabled={update.isPending}>
                  {c.enabled ? 'Disable' : 'Enable'}
                </Button>
              </div>
            )
          }
        >
          <Facts credential={c} />
          {update.error !== null && <ErrorNote error={messageOf(update.error)} />}
        </Card>
      )}

      <Card
        title="Usage"
        actions={
          <SelectField label="Range" value={range} onChange={(event) => setRange(event.target.value as typeof range)}>
            <option value="1d">1 day</option>
            <option value="7d">7 days</option>
            <option value="30d">30 days</option>
            <option value="90d">90 days</option>
          </SelectField>
        }
      >
        {usage.isPending ? <Loading what="Loading usage" /> : usage.error !== null ? <ErrorNote error={messageOf(usage.error)} /> : <UsageChart days={usage.data.days} title={`Verifications per day, last ${range}`} />}
        <p className="mt-2 text-sm" data-testid="usage-total">
          {usage.data === undefined ? '' : `${usage.data.days.reduce((sum, d) => sum + d.count, 0)} verifications in this range`}
        </p>
      </Card>

      {can.write && live && (
        <div className="grid gap-4 md:grid-cols-2">
          <Card title="Rotate">
            <form
              className="space-y-2"
              onSubmit={(event) => {
                event.preventDefault();
                if (graceValid) rotate.mutate();
              }}
            >
              <TextField label="Grace period (seconds)" hint="The old secret keeps working this long; 0 ends it now" inputMode="numeric" value={grace} onChange={(event) => setGrace(event.target.value)} error={graceValid ? undefined : 'A whole number from 0 to 2,592,000'} />
              {rotate.error !== null && <ErrorNote error={messageOf(rotate.error)} />}
              <Button type="submit" tone="primary" disabled={rotate.isPending}>
                Rotate
              </Button>
            </form>
          </Card>
          <Card title="Revoke">
            <form
              className="space-y-2"
              onSubmit={(event) => {
                event.preventDefault();
                revoke.mutate();
              }}
            >
              <TextField label="Reason" hint="Kept with the record" maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} />
              {revoke.error !== null && <ErrorNote error={messageOf(revoke.error)} />}
              <Button type="submit" tone="danger" disabled={revoke.isPending}>
                Revoke
              </Button>
            </form>
          </Card>
        </div>
      )}

      <Card title="Audit trail">
        {audit.isPending ? <Loading what="Loading the audit trail" /> : audit.error !== null ? <ErrorNote error={messageOf(audit.error)} /> : audit.data.items.length === 0 ? <EmptyState title="No entries" next="Changes to this credential appear here." /> : <AuditTable events={audit.data.items} />}
      </Card>
    </div>
  );
}
