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
}

/** Where verifications report usage. Must not block or throw: it buffers. */
export interface UsageSink {
  record(event: UsageEvent): void;
}
