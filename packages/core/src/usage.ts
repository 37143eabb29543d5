import type { LimitDecision } from './limiter/rules.js';
import type { CredentialKind } from './verify/record.js';
import type { VerifyOutcome } from './verify/outcome.js';

/** One verification that named a project: what the usage log and the stats are made of. */
export interface UsageEvent {
  projectId: string;
  credentialId: string;
  kind: CredentialKind;
  outcome: VerifyOutcome;
  latencyMs: number;
  /** ms since the epoch */
  at: number;
  /**
   * The limiter's answers for the credential's quota and credits, when it has them: what the
   * verification already knew, passed on so that thresholds are found where usage is written,
   * off the response path.
   */
  quota?: LimitDecision | null;
  credits?: LimitDecision | null;
}

/** Where verifications report usage. Must not block or throw: it buffers. */
export interface UsageSink {
  record(event: UsageEvent): void;
}
