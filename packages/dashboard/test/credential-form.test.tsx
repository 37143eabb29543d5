import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CredentialForm } from '../src/components/credential-form';
import { buildCredentialBody, emptyValues, type CredentialBody } from '../src/credential-form';

afterEach(cleanup);

function renderForm(kind: 'keys' | 'services' = 'keys'): { submitted: CredentialBody[] } {
  const submitted: CredentialBody[] = [];
  render(<CredentialForm kind={kind} mode="create" busy={false} error={null} onSubmit={(body) => submitted.push(body)} onCancel={vi.fn()} />);
  return { submitted };
}

describe('the create form', () => {
  it('sends every policy field it was given, in the API’s shapes', async () => {
    const user = userEvent.setup({ delay: null });
    const { submitted } = renderForm();
    await user.type(screen.getByLabelText('Label'), 'Acme production');
    await user.selectOptions(screen.getByLabelText('Environment'), 'test');
    await user.type(screen.getByLabelText('Owner'), 'cus_42');
    await user.type(screen.getByLabelText('Tags'), 'acme, prod');
    await user.type(screen.getByLabelText('Scopes'), 'read:invoices write:invoices');
    await user.type(screen.getByLabelText('Resources'), 'project:123 = read, write');
    await user.type(screen.getByLabelText('Expires at'), '2999-01-01T10:00');
    await user.click(screen.getByLabelText('Metadata'));
    await user.paste('{"plan": "pro"}');
    await user.selectOptions(screen.getByLabelText('Algorithm'), 'token_bucket');
    await user.type(screen.getByLabelText('Requests'), '100');
    await user.type(screen.getByLabelText('Window (seconds)'), '60');
    await user.type(screen.getByLabelText('Burst'), '150');
    await user.type(screen.getByLabelText('Quota'), '10000');
    await user.type(screen.getByLabelText('Credits'), '500');
    await user.type(screen.getByLabelText('Refill amount'), '500');
    await user.selectOptions(screen.getByLabelText('Refill every'), 'month');
    await user.type(screen.getByLabelText('Allow only'), '203.0.113.0/24, 2001:db8::/32');
    await user.type(screen.getByLabelText('Deny'), '203.0.113.9');
    await user.click(screen.getByRole('button', { name: 'Create API key' }));

    expect(submitted).toEqual([
      {
        label: 'Acme production',
        environment: 'test',
        enabled: true,
        ownerId: 'cus_42',
        tags: ['acme', 'prod'],
        scopes: ['read:invoices', 'write:invoices'],
        resources: { 'project:123': ['read', 'write'] },
        expiresAt: new Date('2999-01-01T10:00').toISOString(),
        metadata: { plan: 'pro' },
        rateLimit: { algorithm: 'token_bucket', limit: 100, windowSeconds: 60, burst: 150 },
        quota: { limit: 10000, period: 'month' },
        credits: { remaining: 500, refill: { amount: 500, interval: 'month' } },
        ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'],
        ipDenylist: ['203.0.113.9'],
      },
    ]);
  });

  it('refuses bad input before anything is sent, saying what is wrong next to each field', async () => {
    const user = userEvent.setup({ delay: null });
    const { submitted } = renderForm();
    await user.type(screen.getByLabelText('Scopes'), 'read invoices!');
    await user.selectOptions(screen.getByLabelText('Algorithm'), 'sliding_window');
    await user.type(screen.getByLabelText('Burst'), '5');
    await user.click(screen.getByLabelText('Metadata'));
    await user.paste('{plan: pro}');
    await user.type(screen.getByLabelText('Allow only'), '10.0.0.300');
    await user.type(screen.getByLabelText('Quota'), '1.5');
    await user.type(screen.getByLabelText('Expires at'), '2001-01-01T10:00');
    await user.click(screen.getByRole('button', { name: 'Create API key' }));

    expect(submitted).toEqual([]);
    const field = (label: string): HTMLElement => screen.getByLabelText(label);
    expect(field('Scopes').getAttribute('aria-invalid')).toBe('true');
    expect(field('Scopes').getAttribute('aria-describedby')).toBeTruthy();
    const messages = screen.getAllByRole('alert').map((node) => node.textContent);
    expect(messages).toEqual(
      expect.arrayContaining([
        '“invoices!” is not a scope (letters, digits and _ . : * / -, up to 128)',
        'Required with an algorithm',
        'Only for the token bucket',
        'Not valid JSON',
        '“10.0.0.300” is not an IP address or CIDR range',
        'A whole number from 1 to 1,000,000,000,000',
        'Must be in the future',
        'Some fields need a change; see the messages above.',
      ]),
    );
  });

  it('a service needs a name of lowercase letters, digits and hyphens', async () => {
    const user = userEvent.setup({ delay: null });
    const { submitted } = renderForm('services');
    await user.type(screen.getByLabelText('Name'), 'Billing API');
    await user.click(screen.getByRole('button', { name: 'Create service' }));
    expect(submitted).toEqual([]);
    expect(screen.getByText('Required: lowercase letters, digits and hyphens, up to 100')).toBeTruthy();
    await user.clear(screen.getByLabelText('Name'));
    expect(screen.getByLabelText('Name')).toHaveProperty('value', '');
    await user.type(screen.getByLabelText('Name'), 'billing-api');
    await user.click(screen.getByRole('button', { name: 'Create service' }));
    expect(submitted).toEqual([{ name: 'billing-api', environment: 'live', enabled: true }]);
  });
});

describe('buildCredentialBody for an edit', () => {
  it('a blank field clears what the credential had (null or empty), the environment is not sent', () => {
    const result = buildCredentialBody('keys', { ...emptyValues, scopes: 'read' }, 'update');
    expect(result).toEqual({
      body: { label: null, enabled: true, scopes: ['read'], resources: {}, expiresAt: null, rateLimit: null, quota: null, credits: null, ipAllowlist: [], ipDenylist: [], metadata: null, tags: [], ownerId: null },
    });
  });
});
