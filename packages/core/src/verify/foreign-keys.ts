import { isUnkeyLookupId } from '../keys/unkey-format.js';

/**
 * Whether this deployment holds API keys that are not of Elyzor's format: keys of Unkey's format
 * created at `/v2`, or imported by their hash (`keys.migrateKeys`). Only then is a string that is
 * not of Elyzor's format worth its SHA-256 and a lookup at `/v1/verify`; a deployment with none
 * refuses it before any storage call, as it refuses a bad checksum.
 *
 * Once known to hold such keys, an instance keeps asking until it restarts: a deletion of the
 * last one is rare and costs only the lookups the negative cache already bounds. It learns of a
 * new one from the store when it starts (`startingWith`), from the change bus every instance
 * shares (the creation announces the new lookup id, which is of Unkey's form, before its answer
 * leaves), and from any lookup that found one (`/v2` always looks keys up by hash).
 */
export class ForeignKeys {
  private known: boolean;

  constructor(present: boolean) {
    this.known = present;
  }

  get present(): boolean {
    return this.known;
  }

  /** Public ids the bus says changed: one of a foreign key's lookup ids means such keys exist now. */
  changed(publicIds: readonly string[]): void {
    if (!this.known && publicIds.some(isUnkeyLookupId)) this.known = true;
  }

  /** A foreign key was found (or created) here. */
  seen(): void {
    this.known = true;
  }
}
