/**
 * Builds the `resources` object of a key (`{ "project:123": ["read"] }`) with a chainable API.
 * Keys are `<resourceType>:<resourceId>`; adding to an existing resource merges without
 * duplicates.
 */
export class ResourceBuilder {
  private resources: Record<string, string[]> = {};

  static from(resources: Record<string, string[]>): ResourceBuilder {
    const builder = new ResourceBuilder();
    for (const [key, scopes] of Object.entries(resources)) builder.resources[key] = [...scopes];
    return builder;
  }

  add(resourceType: string, resourceId: string, scopes: string[]): this {
    const key = `${resourceType}:${resourceId}`;
    const existing = Object.hasOwn(this.resources, key) ? this.resources[key] : undefined;
    this.resources[key] = [...new Set([...(existing ?? []), ...scopes])];
    return this;
  }

  addOne(resourceType: string, resourceId: string, scope: string): this {
    return this.add(resourceType, resourceId, [scope]);
  }

  addMany(resourceType: string, resourceIds: string[], scopes: string[]): this {
    for (const id of resourceIds) this.add(resourceType, id, scopes);
    return this;
  }

  remove(resourceType: string, resourceId: string): this {
    delete this.resources[`${resourceType}:${resourceId}`];
    return this;
  }

  /** Removes some scopes; a resource left with none is removed. */
  removeScopes(resourceType: string, resourceId: string, scopes: string[]): this {
    const key = `${resourceType}:${resourceId}`;
    const existing = this.resources[key];
    if (existing === undefined || !Object.hasOwn(this.resources, key)) return this;
    const drop = new Set(scopes);
    const left = existing.filter((s) => !drop.has(s));
    if (left.length === 0) delete this.resources[key];
    else this.resources[key] = left;
    return this;
  }

  has(resourceType: string, resourceId: string): boolean {
    return Object.hasOwn(this.resources, `${resourceType}:${resourceId}`);
  }

  get(resourceType: string, resourceId: string): string[] {
    const key = `${resourceType}:${resourceId}`;
    return Object.hasOwn(this.resources, key) ? [...(this.resources[key] ?? [])] : [];
  }

  clear(): this {
    this.resources = {};
    return this;
  }

  build(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [key, scopes] of Object.entries(this.resources)) out[key] = [...scopes];
    return out;
  }
}

export function createResourceBuilder(): ResourceBuilder {
  return new ResourceBuilder();
}
