import { WEBHOOK_EVENT_TYPES } from '@elyzor/contract/names';
import type { WebhookEventType as WebhookEvent } from '@elyzor/sdk';
import { useState, type ReactNode } from 'react';
import { Button, CheckboxGroup, ErrorNote, TextField } from './ui';

export interface WebhookValues {
  url: string;
  events: WebhookEvent[];
  enabled: boolean;
}

export const DEFAULT_EVENTS: WebhookEvent[] = ['key.created', 'key.rotated', 'key.revoked'];

/** What is wrong with the values, or null when they may be sent (the API checks again: a private address, say). */
export function webhookProblem(values: WebhookValues): string | null {
  if (!/^https?:\/\/\S+$/.test(values.url.trim())) return 'An http(s) URL, like https://example.com/hooks/elyzor';
  if (values.events.length === 0) return 'Choose at least one event.';
  return null;
}

/**
 * A webhook's endpoint and events, to create one or to edit one (which may also pause it: a
 * disabled webhook is sent nothing). Submits the values only when they pass `webhookProblem`.
 */
export function WebhookForm({ mode, initial, busy, error, onSubmit, onCancel }: { mode: 'create' | 'edit'; initial?: WebhookValues; busy: boolean; error: string | null; onSubmit: (values: WebhookValues) => void; onCancel?: () => void }): ReactNode {
  const [values, setValues] = useState<WebhookValues>(initial ?? { url: '', events: DEFAULT_EVENTS, enabled: true });
  const [problem, setProblem] = useState<string | null>(null);
  const action = mode === 'create' ? 'Create webhook' : 'Save webhook';
  return (
    <form
      aria-label={action}
      className="space-y-2"
      onSubmit={(event) => {
        event.preventDefault();
        const found = webhookProblem(values);
        setProblem(found);
        if (found === null) onSubmit({ ...values, url: values.url.trim() });
      }}
    >
      <TextField label="Endpoint URL" type="url" value={values.url} onChange={(event) => setValues({ ...values, url: event.target.value })} />
      <CheckboxGroup legend="Events" options={WEBHOOK_EVENT_TYPES} chosen={values.events} onChange={(events) => setValues({ ...values, events })} columns="sm:grid-cols-3" />
      {mode === 'edit' && (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={values.enabled} onChange={(event) => setValues({ ...values, enabled: event.target.checked })} />
          Enabled (a disabled webhook is sent nothing)
        </label>
      )}
      {problem !== null && <ErrorNote error={problem} />}
      {error !== null && <ErrorNote error={error} />}
      <div className="flex gap-2">
        <Button type="submit" tone="primary" disabled={busy}>
          {action}
        </Button>
        {onCancel !== undefined && <Button onClick={onCancel}>Cancel</Button>}
      </div>
    </form>
  );
}
