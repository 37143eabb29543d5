import type { Ctx } from './context.js';
import { createCredential, importCredential, type CreateCredentialInput, type ImportCredentialInput } from './create-credential.js';
import type { CredentialDeps } from './deps.js';
import { getCredential, type CredentialRef } from './get-credential.js';
import { listCredentials, type ListCredentialsInput } from './list-credentials.js';
import type { Page } from './ports.js';
import { revokeCredential, type RevokeCredentialInput } from './revoke-credential.js';
import { rotateCredential, type RotateCredentialInput } from './rotate-credential.js';
import { updateCredential, type UpdateCredentialInput } from './update-credential.js';
import type { CredentialView, IssuedCredential } from './view.js';

type Call<I> = { ctx: Ctx; input: I };

/** The credential lifecycle, bound to its ports once: what every face (HTTP, library, CLI) calls. */
export interface CredentialVerbs {
  create(call: Call<CreateCredentialInput>): Promise<IssuedCredential>;
  /** An existing key by its SHA-256 (Unkey's `keys.migrateKeys`). */
  import(call: Call<ImportCredentialInput>): Promise<CredentialView>;
  get(call: Call<CredentialRef>): Promise<CredentialView>;
  list(call: Call<ListCredentialsInput>): Promise<Page<CredentialView>>;
  update(call: Call<UpdateCredentialInput>): Promise<CredentialView>;
  revoke(call: Call<RevokeCredentialInput>): Promise<void>;
  rotate(call: Call<RotateCredentialInput>): Promise<IssuedCredential>;
}

export function credentialVerbs(deps: CredentialDeps): CredentialVerbs {
  return {
    create: (call) => createCredential(deps, call),
    import: (call) => importCredential(deps, call),
    get: (call) => getCredential(deps, call),
    list: (call) => listCredentials(deps, call),
    update: (call) => updateCredential(deps, call),
    revoke: (call) => revokeCredential(deps, call),
    rotate: (call) => rotateCredential(deps, call),
  };
}
