import { useId, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';

/* Small building blocks: labelled fields, buttons, cards and the three states of a query. */

type Tone = 'primary' | 'secondary' | 'danger';
const tones: Record<Tone, string> = {
  primary: 'bg-indigo-600 text-white hover:bg-indigo-700 disabled:bg-indigo-300',
  secondary: 'bg-white text-slate-800 border border-slate-300 hover:bg-slate-100 disabled:text-slate-400',
  danger: 'bg-red-600 text-white hover:bg-red-700 disabled:bg-red-300',
};

export function Button({ tone = 'secondary', className = '', ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { tone?: Tone }): ReactNode {
  return <button type="button" className={`inline-flex items-center justify-center gap-1 rounded-md px-3 py-1.5 text-sm font-medium ${tones[tone]} ${className}`} {...props} />;
}

const control = 'mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm aria-invalid:border-red-600';

interface FieldProps {
  label: string;
  hint?: string;
  error?: string | undefined;
}

function FieldShell({ id, label, hint, error, children }: FieldProps & { id: string; children: ReactNode }): ReactNode {
  return (
    <div className="min-w-0">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
      {hint !== undefined && error === undefined && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
      {error !== undefined && (
        <p id={`${id}-error`} role="alert" className="mt-1 text-xs text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

function described(id: string, hint: string | undefined, error: string | undefined): string | undefined {
  if (error !== undefined) return `${id}-error`;
  return hint !== undefined ? `${id}-hint` : undefined;
}

export function TextField({ label, hint, error, ...props }: FieldProps & InputHTMLAttributes<HTMLInputElement>): ReactNode {
  const id = useId();
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      <input id={id} className={control} aria-invalid={error !== undefined} aria-describedby={described(id, hint, error)} {...props} />
    </FieldShell>
  );
}

export function TextArea({ label, hint, error, ...props }: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>): ReactNode {
  const id = useId();
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      <textarea id={id} rows={3} className={`${control} font-mono`} aria-invalid={error !== undefined} aria-describedby={described(id, hint, error)} {...props} />
    </FieldShell>
  );
}

export function SelectField({ label, hint, error, children, ...props }: FieldProps & SelectHTMLAttributes<HTMLSelectElement>): ReactNode {
  const id = useId();
  return (
    <FieldShell id={id} label={label} hint={hint} error={error}>
      <select id={id} className={control} aria-invalid={error !== undefined} aria-describedby={described(id, hint, error)} {...props}>
        {children}
      </select>
    </FieldShell>
  );
}

/** A named set of checkboxes over a closed list (permissions, events): `chosen` is what is ticked. */
export function CheckboxGroup<T extends string>({ legend, options, chosen, onChange, columns = 'sm:grid-cols-2' }: { legend: string; options: readonly T[]; chosen: readonly T[]; onChange: (next: T[]) => void; columns?: string }): ReactNode {
  return (
    <fieldset>
      <legend className="text-sm font-medium">{legend}</legend>
      <div className={`mt-1 grid grid-cols-1 gap-1 text-xs ${columns}`}>
        {options.map((option) => (
          <label key={option} className="flex items-center gap-1 font-mono">
            <input type="checkbox" checked={chosen.includes(option)} onChange={(event) => onChange(event.target.checked ? [...chosen, option] : chosen.filter((c) => c !== option))} />
            {option}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function Card({ title, actions, children }: { title?: string; actions?: ReactNode; children: ReactNode }): ReactNode {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-label={title}>
      {(title !== undefined || actions !== undefined) && (
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          {title !== undefined && <h2 className="text-base font-semibold">{title}</h2>}
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }): ReactNode {
  return (
    <p role="status" className="py-6 text-center text-sm text-slate-600">
      {what}…
    </p>
  );
}

export function ErrorNote({ error }: { error: string }): ReactNode {
  return (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {error}
    </p>
  );
}

export function EmptyState({ title, next, action }: { title: string; next: string; action?: ReactNode }): ReactNode {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 p-6 text-center">
      <p className="font-medium">{title}</p>
      <p className="mt-1 text-sm text-slate-600">{next}</p>
      {action !== undefined && <div className="mt-3">{action}</div>}
    </div>
  );
}

export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }): ReactNode {
  return (
    <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
      <h1 className="text-xl font-semibold">{children}</h1>
      {actions}
    </div>
  );
}

const statusTone: Record<string, string> = {
  active: 'bg-green-100 text-green-800',
  disabled: 'bg-slate-200 text-slate-800',
  expired: 'bg-amber-100 text-amber-900',
  revoked: 'bg-red-100 text-red-800',
};

export function StatusBadge({ status }: { status: string }): ReactNode {
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${statusTone[status] ?? 'bg-slate-100 text-slate-800'}`}>{status}</span>;
}
