import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { NameForm } from '../src/components/name-form';

afterEach(cleanup);

function renderForm(error: string | null = null): { submitted: string[] } {
  const submitted: string[] = [];
  render(<NameForm label="New name for Billing" initial="Billing" action="Rename project" busy={false} error={error} onSubmit={(name) => submitted.push(name)} />);
  return { submitted };
}

describe('the rename form', () => {
  it('starts from the current name and sends the new one, trimmed', async () => {
    const user = userEvent.setup({ delay: null });
    const { submitted } = renderForm();
    const field = screen.getByLabelText('New name for Billing');
    expect(field).toHaveProperty('value', 'Billing');
    await user.clear(field);
    await user.type(field, '  Invoices  ');
    await user.click(screen.getByRole('button', { name: 'Rename project' }));
    expect(submitted).toEqual(['Invoices']);
  });

  it.each([
    ['a blank name', '   ', 'Give it a name.'],
    ['a name of 101 characters', 'n'.repeat(101), 'At most 100 characters.'],
  ])('refuses %s before submit, with the reason on the field', async (_case, typed, reason) => {
    const user = userEvent.setup({ delay: null });
    const { submitted } = renderForm();
    const field = screen.getByLabelText('New name for Billing');
    await user.clear(field);
    await user.type(field, typed);
    await user.click(screen.getByRole('button', { name: 'Rename project' }));
    expect(submitted).toEqual([]);
    expect(screen.getByRole('alert').textContent).toBe(reason);
    expect(field.getAttribute('aria-invalid')).toBe('true');
  });

  it('sends nothing when the name did not change', async () => {
    const user = userEvent.setup({ delay: null });
    const { submitted } = renderForm();
    await user.click(screen.getByRole('button', { name: 'Rename project' }));
    expect(submitted).toEqual([]);
  });

  it('shows the API’s refusal', () => {
    renderForm('You need the admin role here.');
    expect(screen.getByRole('alert').textContent).toBe('You need the admin role here.');
  });
});
