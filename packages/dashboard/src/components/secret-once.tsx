import { useState, type ReactNode } from 'react';
import { Button } from './ui';

/**
 * A plaintext credential, shown the one time the API returns it: copy it now, it is not
 * stored anywhere and cannot be shown again.
 */
export function SecretOnce({ label, value, onDone, kept = 'Elyzor keeps only a digest.' }: { label: string; value: string; onDone: () => void; kept?: string }): ReactNode {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const copy = (): void => {
    navigator.clipboard.writeText(value).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  };
  return (
    <div role="region" aria-label={label} className="rounded-lg border border-amber-300 bg-amber-50 p-4">
      <p className="font-semibold">{label}</p>
      <p className="mt-1 text-sm text-amber-900">Copy it now: you won’t see this again. {kept}</p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code data-testid="secret" className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 text-sm">
          {value}
        </code>
        <Button tone="primary" onClick={copy}>
          Copy
        </Button>
        <Button onClick={onDone}>Done</Button>
      </div>
      <p role="status" className="mt-1 text-xs text-slate-700">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Could not copy: select the text and copy it.' : ''}
      </p>
    </div>
  );
}
