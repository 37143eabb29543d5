import { useState, type ReactNode } from 'react';
import { Button, TextField } from './ui';

/** A destructive action that needs the object's name typed out first. */
export function TypedConfirm({ name, action, onConfirm, busy }: { name: string; action: string; onConfirm: () => void; busy?: boolean }): ReactNode {
  const [typed, setTyped] = useState('');
  return (
    <form
      className="flex flex-wrap items-end gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        if (typed === name) onConfirm();
      }}
    >
      <TextField label={`Type “${name}” to confirm`} value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" />
      <Button type="submit" tone="danger" disabled={typed !== name || busy === true}>
        {action}
      </Button>
    </form>
  );
}
