import { useState, type ReactNode } from 'react';
import { buildCredentialBody, emptyValues, type CredentialBody, type CredentialFormValues, type CredentialKind, type FormErrors } from '../credential-form';
import { Button, ErrorNote, SelectField, TextArea, TextField } from './ui';

interface Props {
  kind: CredentialKind;
  mode: 'create' | 'update';
  initial?: CredentialFormValues;
  busy: boolean;
  /** The server's refusal of the last submit, if any. */
  error: string | null;
  onSubmit: (body: CredentialBody) => void;
  onCancel: () => void;
}

/** Every policy field of an API key or a service, checked before anything is sent. */
export function CredentialForm({ kind, mode, initial = emptyValues, busy, error, onSubmit, onCancel }: Props): ReactNode {
  const [values, setValues] = useState<CredentialFormValues>(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const set =
    <F extends keyof CredentialFormValues>(field: F) =>
    (event: { target: { value: string } }): void =>
      setValues((current) => ({ ...current, [field]: event.target.value }));
  const text = (field: keyof CredentialFormValues): { value: string; onChange: (event: { target: { value: string } }) => void; error: string | undefined } => ({
    value: String(values[field]),
    onChange: set(field),
    error: errors[field],
  });
  const noun = kind === 'keys' ? 'API key' : 'service';

  return (
    <form
      noValidate
      aria-label={mode === 'create' ? `Create ${noun}` : `Edit ${noun}`}
      className="space-y-4"
      onSubmit={(event) => {
        event.preventDefault();
        const result = buildCredentialBody(kind, values, mode);
        if ('errors' in result) {
          setErrors(result.errors);
          return;
        }
        setErrors({});
        onSubmit(result.body);
      }}
    >
      <fieldset className="grid gap-3 sm:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold">Identity</legend>
        <TextField label={kind === 'keys' ? 'Label' : 'Name'} hint={kind === 'keys' ? 'Shown in lists, e.g. “Acme production”' : 'Lowercase letters, digits and hyphens'} {...text('name')} />
        {mode === 'create' && (
          <SelectField label="Environment" value={values.environment} onChange={set('environment')}>
            <option value="live">live</option>
            <option value="test">test</option>
          </SelectField>
        )}
        <TextField label="Owner" hint="The customer it belongs to (an id of yours)" {...text('ownerId')} />
        <TextField label="Tags" hint="Comma-separated" {...text('tags')} />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={values.enabled} onChange={(event) => setValues((current) => ({ ...current, enabled: event.target.checked }))} />
          Enabled
        </label>
      </fieldset>

      <fieldset className="grid gap-3 sm:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold">Permissions</legend>
        <TextField label="Scopes" hint="Space- or comma-separated: read:invoices admin:*" {...text('scopes')} />
        <TextArea label="Resources" hint="One per line: project:123 = read, write" {...text('resources')} />
        <TextField label="Expires at" type="datetime-local" {...text('expiresAt')} />
        <TextArea label="Metadata" hint='A JSON object, up to 4 KB: {"plan": "pro"}' {...text('metadata')} />
      </fieldset>

      <fieldset className="grid gap-3 sm:grid-cols-4">
        <legend className="mb-2 text-sm font-semibold">Rate limit</legend>
        <SelectField label="Algorithm" value={values.rateLimitAlgorithm} onChange={set('rateLimitAlgorithm')}>
          <option value="">Server default</option>
          <option value="sliding_window">Sliding window</option>
          <option value="token_bucket">Token bucket</option>
          <option value="none">Unlimited</option>
        </SelectField>
        <TextField label="Requests" inputMode="numeric" {...text('rateLimitLimit')} />
        <TextField label="Window (seconds)" inputMode="numeric" {...text('rateLimitWindowSeconds')} />
        <TextField label="Burst" hint="Token bucket only" inputMode="numeric" {...text('rateLimitBurst')} />
      </fieldset>

      <fieldset className="grid gap-3 sm:grid-cols-4">
        <legend className="mb-2 text-sm font-semibold">Quota and credits</legend>
        <TextField label="Quota" hint="Uses per period" inputMode="numeric" {...text('quotaLimit')} />
        <SelectField label="Quota period" value={values.quotaPeriod} onChange={set('quotaPeriod')}>
          <option value="day">day</option>
          <option value="month">month</option>
        </SelectField>
        <TextField label="Credits" hint="Balance each verification spends" inputMode="numeric" {...text('creditsRemaining')} />
        <TextField label="Refill amount" inputMode="numeric" {...text('creditsRefillAmount')} />
        <SelectField label="Refill every" value={values.creditsRefillInterval} onChange={set('creditsRefillInterval')} error={errors.creditsRefillInterval}>
          <option value="">never</option>
          <option value="day">day</option>
          <option value="month">month</option>
        </SelectField>
      </fieldset>

      <fieldset className="grid gap-3 sm:grid-cols-2">
        <legend className="mb-2 text-sm font-semibold">IP rules</legend>
        <TextArea label="Allow only" hint="Addresses or CIDR ranges: 203.0.113.0/24" {...text('ipAllowlist')} />
        <TextArea label="Deny" hint="Addresses or CIDR ranges" {...text('ipDenylist')} />
      </fieldset>

      {Object.keys(errors).length > 0 && <ErrorNote error="Some fields need a change; see the messages above." />}
      {error !== null && <ErrorNote error={error} />}
      <div className="flex gap-2">
        <Button type="submit" tone="primary" disabled={busy}>
          {mode === 'create' ? `Create ${noun}` : 'Save changes'}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
