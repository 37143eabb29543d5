import type { Clock } from '../clock.js';
import type { Digester } from '../keys/digest.js';
import type { generateCredential } from '../keys/key-format.js';
import type { Limiter } from '../limiter/limiter.js';
import type { ChangeBus, CredentialStore } from './ports.js';

/** What the credential verbs are built from: ports, injected once. */
export interface CredentialDeps {
  store: CredentialStore;
  /** Tells every instance (and this one's cache) that credentials changed. */
  bus: ChangeBus;
  clock: Clock;
  digest: Digester;
  /** The source of new credential strings; tests inject one to know a public id in advance. */
  generate: typeof generateCredential;
  /** Read (never spent) for the live balance of credits. */
  limiter: Limiter;
}
