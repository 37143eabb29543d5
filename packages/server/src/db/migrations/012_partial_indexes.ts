/**
 * Two partial indexes for reads that otherwise scan a whole table:
 * - the prune of finished webhook deliveries (`store/webhook-retention.ts`: status delivered or
 *   failed, oldest `updated_at` first), which runs every hour on every instance;
 * - the start-up question "is any key not of Elyzor's format stored?" (`holdsForeignKeys`), which
 *   is an empty index — one page read — on a deployment without such keys.
 * Built in the migration's transaction (not concurrently): on a large `webhook_deliveries` the
 * first start after the upgrade holds writes to it until the index is built.
 */
export const up = `
create index webhook_deliveries_finished_idx on webhook_deliveries (updated_at) where status in ('delivered', 'failed');
create index credentials_foreign_format_idx on credentials (id) where key_format is not null;
`;
