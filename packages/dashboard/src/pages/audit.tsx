import type { AuditFilters } from '@elyzor/sdk';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useParams } from 'react-router';
import { Pager, useCursors } from '../components/pager';
import { AuditTable } from '../components/audit-table';
import { Button, Card, EmptyState, ErrorNote, Loading, TextField } from '../components/ui';
import { messageOf, useClient } from '../session';

const PAGE_SIZE = 25;

/** Saves text as a file, from memory (no second request, nothing inline). */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A project's audit log: filters, pages, CSV export of the filtered log. */
export function AuditPage(): ReactNode {
  const { projectId = '' } = useParams();
  const client = useClient();
  const [filters, setFilters] = useState<AuditFilters>({});
  const pages = useCursors();
  const cursor = pages.cursor;
  const log = useQuery({
    queryKey: ['audit', projectId, filters, cursor],
    queryFn: () => client.audit.list(projectId, { ...filters, limit: PAGE_SIZE, ...(cursor !== undefined ? { cursor } : {}) }),
    placeholderData: keepPreviousData,
  });
  const exportCsv = useMutation({ mutationFn: () => client.audit.exportCsv(projectId, filters), onSuccess: (csv) => download(`audit-${projectId}.csv`, csv) });
  const set =
    (field: 'action' | 'keyId' | 'from' | 'to') =>
    (event: { target: { value: string } }): void => {
      const raw = event.target.value.trim();
      const value = raw === '' ? undefined : field === 'from' || field === 'to' ? new Date(raw).toISOString() : raw;
      setFilters((current) => ({ ...current, [field]: value }));
      pages.reset();
    };
  return (
    <Card
      title="Audit log"
      actions={
        <Button onClick={() => exportCsv.mutate()} disabled={exportCsv.isPending}>
          Export CSV
        </Button>
      }
    >
      <div role="search" className="mb-3 grid grid-cols-2 gap-2 md:grid-cols-4">
        <TextField label="Action" placeholder="key.created" onChange={set('action')} />
        <TextField label="Key id" onChange={set('keyId')} />
        <TextField label="From" type="datetime-local" onChange={set('from')} />
        <TextField label="To" type="datetime-local" onChange={set('to')} />
      </div>
      {exportCsv.error !== null && <ErrorNote error={messageOf(exportCsv.error)} />}
      {log.isPending ? (
        <Loading what="Loading the audit log" />
      ) : log.error !== null ? (
        <ErrorNote error={messageOf(log.error)} />
      ) : log.data.items.length === 0 ? (
        <EmptyState title="No entries" next="Creating, changing, rotating and revoking credentials is recorded here." />
      ) : (
        <AuditTable events={log.data.items} />
      )}
      <Pager pages={pages} nextCursor={log.data?.nextCursor} />
    </Card>
  );
}
