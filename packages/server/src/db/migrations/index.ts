import * as initial from './001_initial.js';
import * as policyAudit from './002_policy_audit.js';
import * as usageCounts from './003_usage_counts.js';
import * as usageRollups from './004_usage_rollups.js';
import * as workspaces from './005_workspaces.js';
import * as rootKeys from './006_root_keys.js';
import * as webhooks from './007_webhooks.js';
import * as usageThresholdNotices from './008_usage_threshold_notices.js';
import * as unkeyKeys from './009_unkey_keys.js';
import * as unkeyRbac from './010_unkey_rbac.js';
import * as identitiesRatelimits from './011_identities_ratelimits.js';
import * as partialIndexes from './012_partial_indexes.js';

/** Every migration, in order. Append only: a released migration is never edited. */
export const migrations: ReadonlyArray<{ version: number; name: string; up: string }> = [
  { version: 1, name: 'initial', up: initial.up },
  { version: 2, name: 'policy_audit', up: policyAudit.up },
  { version: 3, name: 'usage_counts', up: usageCounts.up },
  { version: 4, name: 'usage_rollups', up: usageRollups.up },
  { version: 5, name: 'workspaces', up: workspaces.up },
  { version: 6, name: 'root_keys', up: rootKeys.up },
  { version: 7, name: 'webhooks', up: webhooks.up },
  { version: 8, name: 'usage_threshold_notices', up: usageThresholdNotices.up },
  { version: 9, name: 'unkey_keys', up: unkeyKeys.up },
  { version: 10, name: 'unkey_rbac', up: unkeyRbac.up },
  { version: 11, name: 'identities_ratelimits', up: identitiesRatelimits.up },
  { version: 12, name: 'partial_indexes', up: partialIndexes.up },
];
