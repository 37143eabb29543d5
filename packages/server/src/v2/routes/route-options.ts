/** What every authenticated `/v2` route shares: its tag and security in the OpenAPI document. */
export const V2_ROUTE = { schema: { tags: ['unkey'], security: [{ rootKey: [] }] } } as const;
