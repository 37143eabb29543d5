import { creditsCounter } from '../limiter/limit-keys.js';
import { creditsWindow } from '../verify/verifier.js';
import { limitKeyOf, type Credential } from './credential.js';
import type { CredentialDeps } from './deps.js';
import type { CredentialView } from './view.js';

/** Credits as they stand now: what verifications spent is in the limiter, not the stored balance. */
export async function withLiveBalance(deps: CredentialDeps, view: CredentialView, credential: Credential, now: number): Promise<CredentialView> {
  const credits = credential.credits;
  if (credits === null || view.credits === null) return view;
  const probe = await deps.limiter.consume(
    [{ key: creditsCounter(limitKeyOf(credential), credits.setAt), rule: { type: 'fixed_window', ...creditsWindow(credits, now) }, cost: 0 }],
    0,
  );
  const remaining = probe.decisions[0]?.remaining ?? credits.remaining;
  return { ...view, credits: { ...view.credits, remaining } };
}
