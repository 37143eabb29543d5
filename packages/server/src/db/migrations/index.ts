import * as initial from './001_initial.js';

/** Every migration, in order. Append only: a released migration is never edited. */
export const migrations: ReadonlyArray<{ version: number; name: string; up: string }> = [
  { version: 1, name: 'initial', up: initial.up },
];
