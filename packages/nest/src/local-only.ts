import type { ApiKeyBackend } from './backend.js';
import { notInRemoteMode } from './exceptions.js';
import { LocalBackend } from './local/local-backend.js';

/** The local backend, for what only the app's own database can answer; else 501 naming `what`. */
export function localOnly(backend: ApiKeyBackend, what: string): LocalBackend {
  if (backend instanceof LocalBackend) return backend;
  throw notInRemoteMode(what);
}
