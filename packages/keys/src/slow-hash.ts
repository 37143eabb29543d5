/**
 * bcrypt and argon2 digests of keys, for databases whose keys were hashed so (nest-api-key-auth
 * writes them). A salted digest differs on every hash, so it cannot be looked up by value:
 * such a key is stored with its first `KEY_PREFIX_LENGTH` characters (`metadata.keyPrefix`),
 * `verify` reads the records with that prefix and checks the key against each digest.
 *
 * The libraries are optional peers (`bcryptjs`, pure JavaScript; `@node-rs/argon2`, prebuilt),
 * loaded on first use; `ready()` loads them up front so that a missing one fails at start.
 */
export type SlowAlgorithm = 'bcrypt' | 'argon2';

/** nest-api-key-auth's `keyPrefix`: the key's first 8 characters. */
export const KEY_PREFIX_LENGTH = 8;

/** Random characters a key must keep after its stored prefix (16 hex characters are 64 bits; base62, 95). */
export const MIN_HIDDEN_CHARACTERS = 16;

export interface SlowHash {
  readonly algorithm: SlowAlgorithm;
  /** Loads the library; rejects with a message naming the package when it is not installed. */
  ready(): Promise<void>;
  hash(key: string): Promise<string>;
  /** Whether `key` is the key of `digest`; false for a digest of another algorithm or a malformed one. */
  matches(key: string, digest: string): Promise<boolean>;
}

interface Impl {
  hash(key: string): Promise<string>;
  matches(key: string, digest: string): Promise<boolean>;
}

/** `$2a$`, `$2b$`, `$2y$`: the digests bcrypt libraries write. */
const BCRYPT_DIGEST = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

async function loadBcrypt(rounds: number): Promise<Impl> {
  const mod = (await import('bcryptjs')) as unknown as { default?: BcryptLib } & BcryptLib;
  const bcrypt = mod.default ?? mod;
  return {
    hash: (key) => bcrypt.hash(key, rounds),
    // bcryptjs throws on a malformed digest; another algorithm's digest is simply not this key.
    matches: (key, digest) => (BCRYPT_DIGEST.test(digest) ? bcrypt.compare(key, digest) : Promise.resolve(false)),
  };
}

interface BcryptLib {
  hash(key: string, rounds: number): Promise<string>;
  compare(key: string, digest: string): Promise<boolean>;
}

interface Argon2Lib {
  hash(key: string): Promise<string>;
  verify(digest: string, key: string): Promise<boolean>;
}

async function loadArgon2(): Promise<Impl> {
  const argon2 = (await import('@node-rs/argon2')) as unknown as Argon2Lib;
  return {
    // The library's defaults: argon2id, 19 MiB, 2 passes (OWASP's recommendation). Digests of
    // other parameters (the `argon2` package's 64 MiB, 3 passes) verify all the same: the PHC
    // string carries them.
    hash: (key) => argon2.hash(key),
    matches: async (key, digest) => {
      if (!digest.startsWith('$argon2')) return false;
      try {
        return await argon2.verify(digest, key);
      } catch {
        return false;
      }
    },
  };
}

const PACKAGES: Record<SlowAlgorithm, string> = { bcrypt: 'bcryptjs', argon2: '@node-rs/argon2' };

export function createSlowHash(algorithm: SlowAlgorithm, bcryptRounds: number): SlowHash {
  let loading: Promise<Impl> | undefined;
  const impl = (): Promise<Impl> => {
    loading ??= (algorithm === 'bcrypt' ? loadBcrypt(bcryptRounds) : loadArgon2()).catch(() => {
      loading = undefined;
      throw new Error(`createKeys: option "algorithm" '${algorithm}' needs the package ${PACKAGES[algorithm]}: npm install ${PACKAGES[algorithm]}`);
    });
    return loading;
  };
  return {
    algorithm,
    ready: async () => {
      await impl();
    },
    hash: async (key) => (await impl()).hash(key),
    matches: async (key, digest) => (await impl()).matches(key, digest),
  };
}
