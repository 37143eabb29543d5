import { useState, type ReactNode } from 'react';
import { Button, ErrorNote, TextField } from './ui';

/** The API's bounds of a name (a project's, a workspace's): 1–100 characters, not blank. */
export const MAX_NAME = 100;

/** What is wrong with `name` as a new name, or null when it may be sent. */
export function nameProblem(name: string): string | null {
  if (name.trim() === '') return 'Give it a name.';
  if (name.trim().length > MAX_NAME) return `At most ${MAX_NAME} characters.`;
  return null;
}

/**
 * A rename: the current name to edit, checked before submit (the API checks again, and its
 * refusal shows under the field). Submitting an unchanged name does nothing.
 */
export function NameForm({ label, initial, action, busy, error, onSubmit, onCancel }: { label: string; initial: string; action: string; busy: boolean; error: string | null; onSubmit: (name: string) => void; onCancel?: () => void }): ReactNode {
  const [name, setName] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      aria-label={action}
      className="flex flex-wrap items-end gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        const found = nameProblem(name);
        setProblem(found);
        if (found === null && name.trim() !== initial) onSubmit(name.trim());
      }}
    >
      <TextField label={label} value={name} onChange={(event) => setName(event.target.value)} error={problem ?? undefined} autoComplete="off" />
      <Button type="submit" tone="primary" disabled={busy}>
        {action}
      </Button>
      {onCancel !== undefined && <Button onClick={onCancel}>Cancel</Button>}
      {error !== null && (
        <div className="basis-full">
          <ErrorNote error={error} />
        </div>
      )}
    </form>
  );
}
