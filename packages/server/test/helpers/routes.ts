import { randomUUID } from 'node:crypto';
import type { App } from '../../src/http/types.js';

/**
 * Every route the app serves, read from the app itself: the router's own listing
 * (`printRoutes`, which includes routes hidden from the OpenAPI document) joined with the OpenAPI
 * document for what each route accepts. A route added tomorrow is in this list without anyone
 * editing a test.
 */
export interface RouteInfo {
  method: string;
  /** Fastify form: `/v1/projects/:projectId/keys/:keyId`; a trailing `*` is a wildcard. */
  path: string;
  /** Path parameter names, in order. */
  params: string[];
  /** Query parameters the OpenAPI document lists for this route. */
  query: string[];
  /** Their JSON schemas, by name. */
  querySchemas: Record<string, JsonSchema>;
  /** Top-level fields of the JSON body schema, when the route has one. */
  bodyFields: string[];
  /** The JSON body schema, when the route has one. */
  bodySchema: JsonSchema | undefined;
  /** Whether the OpenAPI document lists a request body. */
  hasBody: boolean;
  /** The route answers in the verification shape (`{valid:false, error}`). */
  verify: boolean;
  /** The route's operation declares bearer (access token) security. */
  bearer: boolean;
  /** In the OpenAPI document (false for /openapi.json, /docs and its assets). */
  documented: boolean;
}

/** The parts of JSON Schema the OpenAPI document uses. */
export interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  maxItems?: number;
  minItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
}

interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: Array<Record<string, unknown>>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/** `printRoutes({ commonPrefix: false })` → [method, path] pairs. */
export function parseRouteTree(tree: string): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (match === null) continue;
    const depth = (match[1] ?? '').length / 4;
    const segment = match[2] ?? '';
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + segment;
    stack[depth] = path;
    const methods = match[3];
    if (methods === undefined) continue;
    // Routes that share a position under different parameter names print as `:a|:b`.
    const normalized = path.replace(/:([A-Za-z0-9_]+)(?:\|:[A-Za-z0-9_]+)+/g, ':$1');
    for (const method of methods.split(',').map((m) => m.trim())) result.push([method, normalized]);
  }
  return result;
}

const shape = (path: string): string => path.replace(/\{[^}]+\}/g, '{}').replace(/:[A-Za-z0-9_]+/g, '{}');

export async function discoverRoutes(app: App): Promise<RouteInfo[]> {
  const response = await app.inject({ method: 'GET', url: '/openapi.json' });
  if (response.statusCode !== 200) throw new Error(`GET /openapi.json answered ${response.statusCode}`);
  const doc = response.json<OpenApiDocument>();
  const documented = new Map<string, { openapiPath: string; operation: OpenApiOperation }>();
  for (const [openapiPath, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) documented.set(`${method.toUpperCase()} ${shape(openapiPath)}`, { openapiPath, operation });
  }
  const routes: RouteInfo[] = [];
  const seen = new Set<string>();
  for (const [method, printed] of parseRouteTree(app.printRoutes({ commonPrefix: false }))) {
    // HEAD is GET without a body; the body is what these suites inspect.
    if (method === 'HEAD') continue;
    const found = documented.get(`${method} ${shape(printed)}`);
    // The OpenAPI document names the parameters of the route itself (the tree may show another
    // route's name at a shared position).
    const path = found === undefined ? printed : found.openapiPath.replace(/\{([^}]+)\}/g, ':$1');
    const id = `${method} ${path}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const operation = found?.operation;
    const schema = operation?.requestBody?.content?.['application/json']?.schema;
    routes.push({
      method,
      path,
      params: [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] ?? ''),
      query: (operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      querySchemas: Object.fromEntries((operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p.schema ?? {}])),
      bodyFields: Object.keys(schema?.properties ?? {}),
      bodySchema: schema,
      hasBody: operation?.requestBody !== undefined,
      verify: path.startsWith('/v1/verify'),
      bearer: (operation?.security ?? []).some((s) => 'bearer' in s),
      documented: found !== undefined,
    });
  }
  // Every documented operation must be a real route (and so be in the list above).
  for (const key of documented.keys()) {
    const [method, path] = key.split(' ') as [string, string];
    if (!routes.some((r) => r.method === method && shape(r.path) === path)) throw new Error(`documented but not routed: ${key}`);
  }
  return routes;
}

/** A concrete URL for a route: each parameter replaced by the given (already URL-safe) text. */
export function fillPath(route: RouteInfo, values: Record<string, string>, wildcard = ''): string {
  return route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => values[name] ?? '').replace(/\*$/, wildcard);
}

let unique = 0;

/** A value the schema accepts (required fields only, for objects): a valid request body to start from. */
export function validValue(schema: JsonSchema | undefined): unknown {
  if (schema === undefined) return 'x';
  if (schema.anyOf !== undefined) return validValue(schema.anyOf[0]);
  if (schema.enum !== undefined) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  switch (schema.type) {
    case 'string':
      unique += 1;
      if (schema.format === 'uri') return 'https://example.com/hook';
      if (schema.format === 'email') return `user-${randomUUID()}@example.com`;
      if (schema.format === 'date-time') return '2099-01-01T00:00:00Z';
      if (schema.pattern !== undefined) return `valid-${unique}`;
      return `valid ${unique}`.padEnd(schema.minLength ?? 0, 'x');
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => validValue(schema.items));
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((name) => [name, validValue(schema.properties?.[name])]));
    default:
      return null;
  }
}
