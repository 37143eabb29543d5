import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_EVENTS, WebhookForm, type WebhookValues } from '../src/components/webhook-form';

afterEach(cleanup);

const EXISTING: WebhookValues = { url: 'https://example.com/hooks', events: ['key.created'], enabled: true };

function renderForm(mode: 'create' | 'edit', error: string | null = null): { submitted: WebhookValues[] } {
  const submitted: WebhookValues[] = [];
  render(<WebhookForm mode={mode} {...(mode === 'edit' ? { initial: EXISTING } : {})} busy={false} error={error} onSubmit={(values) => submitted.push(values)} />);
  return { submitted };
}

describe('the webhook form', () => {
  it('creates with a URL and the default events; has no enabled switch', async () => {
    const user = userEvent.setup({ delay: null });
    const { submitted } = renderForm('create');
    expect(screen.queryByLabelText(/^Enabled/)).toBeNull();
    await user.type(screen.getByLabelText('Endpoint URL'), ' https://example.com/in ');
    await user.click(screen.getByRole('button', { name: 'Create webhook' }));
    expect(submitted).toEqual([{ url: 'https://example.com/in', events: DEFAULT_EVENTS, enabled: true }]);
  });

  it('edits the URL, the events and pauses the webhook', async () => {
    const user = userEvent.setup({ delay: null });
    const { submitted } = renderForm('edit');
    const url = screen.getByLabelText('Endpoint URL');
    expect(url).toHaveProperty('value', EXISTING.url);
    await user.clear(url);
    await user.type(url, 'https://example.com/v2');
    await user.click(screen.getByLabelText('key.created'));
    await user.click(screen.getByLabelText('key.revoked'));
    await user.click(screen.getByLabelText(/^Enabled/));
    await user.click(screen.getByRole('button', { name: 'Save webhook' }));
    expect(submitted).toEqual([{ url: 'https://example.com/v2', events: ['key.revoked'], enabled: false }]);
  });

  it.each([
    ['a URL that is not http(s)', 'ftp://example.com', false, 'An http(s) URL, like https://example.com/hooks/elyzor'],
    ['no event', 'https://example.com/hooks', true, 'Choose at least one event.'],
  ])('refuses %s before submit', async (_case, address, untickAll, reason) => {
    const user = userEvent.setup({ delay: null });
    const { submitted } = renderForm('edit');
    const url = screen.getByLabelText('Endpoint URL');
    await user.clear(url);
    await user.type(url, address);
    if (untickAll) await user.click(screen.getByLabelText('key.created'));
    await user.click(screen.getByRole('button', { name: 'Save webhook' }));
    expect(submitted).toEqual([]);
    expect(screen.getByRole('alert').textContent).toBe(reason);
  });

  it('shows the API’s refusal', () => {
    renderForm('edit', 'url must not point to a private address');
    expect(screen.getByRole('alert').textContent).toBe('url must not point to a private address');
  });
});
