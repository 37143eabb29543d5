import type { IssuedKey, IssuedService, ListQuery } from '@elyzor/sdk';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useParams } from 'react-router';
import { CredentialForm } from '../components/credential-form';
import { CredentialsTable, matches } from '../components/credentials-table';
import { Pager, useCursors } from '../components/pager';
import { SecretOnce } from '../components/secret-once';
import { Button, Card, EmptyState, ErrorNote, Loading, SelectField, TextField } from '../components/ui';
import { credentialApi } from '../credential-api';
import type { CredentialBody, CredentialKind } from '../credential-form';
import { messageOf, useClient } from '../session';
import { abilities, useRoleIn } from '../workspace';
import { useProjects } from './projects';

const PAGE_SIZE = 20;

type Filters = Pick<ListQuery, 'status' | 'environment' | 'tag' | 'ownerId'>;

/** A project's API keys or services: filters, search, pages, and the create form. */
export function CredentialsPage({ kind }: { kind: CredentialKind }): ReactNode {
  const { projectId = '' } = useParams();
  const client = useClient();
  const queries = useQueryClient();
  const project = useProjects().data?.find((p) => p.id === projectId);
  const can = abilities(useRoleIn(project?.workspaceId));
  const api = credentialApi(client, kind);
  const noun = kind === 'keys' ? 'API key' : 'service';

  const [filters, setFilters] = useState<Filters>({});
  const [search, setSearch] = useState('');
  const pages = useCursors();
  const cursor = pages.cursor;
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<IssuedKey | IssuedService | null>(null);

  const list = useQuery({
    queryKey: ['credentials', kind, projectId, filters, cursor],
    queryFn: () => api.list(projectId, { ...filters, limit: PAGE_SIZE, ...(cursor !== undefined ? { cursor } : {}) }),
    placeholderData: keepPreviousData,
  });
  const create = useMutation({
    mutationFn: (body: CredentialBody) => api.create(projectId, body),
    onSuccess: (result) => {
      setCreating(false);
      setIssued(result);
      return queries.invalidateQueries({ queryKey: ['credentials', kind, projectId] });
    },
  });

  const setFilter =
    (field: keyof Filters) =>
    (event: { target: { value: string } }): void => {
      const value = event.target.value.trim();
      setFilters((current) => ({ ...current, [field]: value === '' ? undefined : value }));
      pages.reset();
    };
  const rows = (list.data?.items ?? []).filter((row) => matches(row, search));
  const filtered = Object.values(filters).some((v) => v !== undefined) || search.trim() !== '';

  return (
    <div className="space-y-4">
      {issued !== null && <SecretOnce label={`Your new ${noun}`} value={issued.key} onDone={() => setIssued(null)} />}
      {creating ? (
        <Card title={`Create ${noun}`}>
          <CredentialForm kind={kind} mode="create" busy={create.isPending} error={create.error === null ? null : messageOf(create.error)} onSubmit={(body) => create.mutate(body)} onCancel={() => setCreating(false)} />
        </Card>
      ) : (
        <Card
          title={kind === 'keys' ? 'API keys' : 'Services'}
          actions={
            can.write && (
              <Button tone="primary" onClick={() => setCreating(true)}>
                Create {noun}
              </Button>
            )
          }
        >
          <div role="search" className="mb-3 grid grid-cols-2 gap-2 md:grid-cols-5">
            <TextField label="Search" type="search" placeholder="name, prefix, tag…" value={search} onChange={(event) => setSearch(event.target.value)} />
            <SelectField label="Status" value={filters.status ?? ''} onChange={setFilter('status')}>
              <option value="">any</option>
              <option value="active">active</option>
              <option value="disabled">disabled</option>
              <option value="expired">expired</option>
              <option value="revoked">revoked</option>
            </SelectField>
            <SelectField label="Environment" value={filters.environment ?? ''} onChange={setFilter('environment')}>
              <option value="">any</option>
              <option value="live">live</option>
              <option value="test">test</option>
            </SelectField>
            <TextField label="Tag" value={filters.tag ?? ''} onChange={setFilter('tag')} />
            <TextField label="Owner" value={filters.ownerId ?? ''} onChange={setFilter('ownerId')} />
          </div>
          {list.isPending ? (
            <Loading what={`Loading ${kind === 'keys' ? 'API keys' : 'services'}`} />
          ) : list.error !== null ? (
            <ErrorNote error={messageOf(list.error)} />
          ) : rows.length === 0 ? (
            filtered ? (
              <EmptyState title="Nothing matches" next="Change the search or the filters." />
            ) : (
              <EmptyState title={`No ${kind === 'keys' ? 'API keys' : 'services'} yet`} next={can.write ? `Create the first ${noun}; its secret is shown once.` : 'Someone with the developer role or above can create one.'} />
            )
          ) : (
            <CredentialsTable rows={rows} base={`/projects/${projectId}/${kind}`} />
          )}
          <Pager pages={pages} nextCursor={list.data?.nextCursor} />
        </Card>
      )}
    </div>
  );
}
