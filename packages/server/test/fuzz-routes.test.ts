import { randomUUID } from 'node:crypto';
import { ERROR_STATUS, generateCredential, VERIFY_STATUS } from '@elyzor/core';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, bearer, createKey, createProject, createService, createWebhook, registerUser, startApp, verifyKey, type TestApp, type TestUser } from './helpers/harness.js';
import { discoverRoutes, fillPath, validValue, type JsonSchema, type RouteInfo } from './helpers/routes.js';
import { createProjectIn, createRootKey, createWorkspace, invite, join } from './helpers/teams.js';
import { PROBLEM_JSON_ROUTES } from '../src/v2/errors.js';

/**
 * Property-based fuzzing of every route the app serves (read from the app, so a new route is
 * fuzzed without editing this file): random bodies, query strings, path ids, headers and
 * Authorization values, once without credentials and once with a valid access token (and real
 * credentials at the verify endpoints) so that authenticated handlers get random input too.
 *
 * For every response: never a 5xx, never a hang; every status ≥ 400 carries a JSON body whose
 * `error` is a code of the catalogue (packages/core/src/errors.ts) or, at the verify endpoints, a
 * verification outcome (packages/core/src/verify/outcome.ts), with the status that code maps to.
 *
 * Next to the random runs, deterministic ones: every body field and query parameter (read from
 * the OpenAPI schemas) meets a fixed set of hostile values (NUL, lone surrogates, edge dates,
 * prototype names, crafted cursors), and every route with ids meets the path segments the router
 * itself refuses. After it all, the data the requests touched must still be readable, and a
 * sentinel project with its key must be unchanged and still verify.
 */

const RUNS = 40;
/** With a valid token, handlers run: more runs there. */
const RUNS_AUTHENTICATED = 100;
/** Routes that need a fresh user per run (they end the session that calls them). */
const RUNS_SESSION_ENDING = 20;
const REQUEST_TIMEOUT_MS = 10_000;
const BODY_LIMIT = 16 * 1024;

// The route list, from a throwaway app (the suites below start their own).
const routes: RouteInfo[] = await (async () => {
  const probe = await startApp({ logLevel: 'silent' });
  try {
    return await discoverRoutes(probe.app);
  } finally {
    await probe.close();
  }
})();

// ---------------------------------------------------------------------------------------------
// Generators

const b64 = (text: string): string => Buffer.from(text).toString('base64url');
/** Percent-encodes the UTF-8 bytes of any string (lone surrogates included) except the unreserved characters. */
const pct = (text: string): string =>
  [...Buffer.from(text, 'utf8')].map((byte) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

/** Strings that have broken services before: NUL, lone surrogates, dates at the edges, injections. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\ufeff',
  '\u202e',
  '💥'.repeat(20),
  '\r\n\t\v\f\b',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%',
  "' OR '1'='1",
  "'; DROP TABLE projects; --",
  '") OR 1=1 --',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'NaN',
  'Infinity',
  '-0',
  '1e999',
  '9'.repeat(400),
  'null',
  'true',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59-23:59',
  '2020-01-01T23:59:60Z',
  '-271821-04-20T00:00:00.000Z',
  '+275760-09-13T00:00:00.000Z',
  '1970-01-01T00:00:00Z',
  'live',
  'test',
  'active',
  'revoked',
  'csv',
  '1d',
  '90d',
  '10.0.0.0/8',
  '::/0',
  '0.0.0.0/0',
  '1.2.3.4/33',
  'fe80::1%eth0',
  'read:*',
  '*',
  'a'.repeat(1000),
];

const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('a', '\u0000', '\n', '"', '\\', '%', '/', '.', ':', '-', '*', '\ud800'), maxLength: 30 }) },
  { weight: 1, arbitrary: fc.uuid() },
  // Control characters, NUL above all: valid JSON, valid UTF-8, and refused by PostgreSQL text.
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\u0085', 'a', '-'), minLength: 1, maxLength: 10 }) },
);

const hugeNumber = fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -(2 ** 63), 2 ** 64, 1e21, 5e-324, -0, 0.5, -1, 2_147_483_648, 1_000_000_000_001);

const jsonLeaf = fc.oneof(nastyString, hugeNumber, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: jsonLeaf },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(jsonLeaf, { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.dictionary(nastyString, jsonLeaf, { maxKeys: 5 }) },
);

/** Fields a client may never set, and keys that attack the parser. */
const FOREIGN_FIELDS = ['id', 'projectId', 'project_id', 'ownerId', 'owner_id', 'userId', 'digest', 'key', 'publicId', 'createdAt', 'revoked', 'status', '__proto__', 'constructor', ''];

/** Date-times at the edges of what the schema's `date-time` format lets through. */
const EDGE_DATE_TIMES = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '9999-12-31T23:59:59-23:59',
  '0000-01-01T00:00:00+23:59',
  '2020-01-01T23:59:60Z',
  '2016-12-31T23:59:60Z',
  '1969-12-31T23:59:59.999999999Z',
  '2026-11-23T12:00:00+14:00',
];
const dateTime = fc.oneof(
  fc.constantFrom(...EDGE_DATE_TIMES),
  fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
);

/**
 * Values shaped by the route's own JSON schema (so that validation passes often and handlers
 * run), with hostile content: NUL and lone surrogates in strings, edge dates, limits ± 1.
 */
function conforming(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (schema === undefined || depth > 4) return jsonish;
  if (schema.anyOf !== undefined) return fc.oneof(...schema.anyOf.map((branch) => conforming(branch, depth)));
  if (schema.enum !== undefined && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'date-time') return dateTime;
      if (schema.format === 'uri') return fc.oneof({ weight: 3, arbitrary: fc.webUrl({ validSchemes: ['https'] }) }, { weight: 1, arbitrary: nastyString });
      // Mostly real addresses, so that handlers behind an email field run too.
      if (schema.format === 'email') return fc.oneof({ weight: 3, arbitrary: fc.emailAddress().filter((v) => v.length <= (schema.maxLength ?? 255)) }, { weight: 1, arbitrary: nastyString });
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? 60, 60);
      const options: Array<fc.Arbitrary<unknown>> = [nastyString, fc.string({ minLength: min, maxLength: max }), nastyString.filter((v) => v.length >= min && v.length <= (schema.maxLength ?? Infinity))];
      if (schema.pattern === undefined) return fc.oneof(...options);
      const matching = fc.stringMatching(new RegExp(schema.pattern)).filter((v) => v.length >= min && v.length <= max);
      return fc.oneof({ weight: 3, arbitrary: matching }, ...options.map((arbitrary) => ({ weight: 1, arbitrary })));
    }
    case 'integer': {
      const min = schema.minimum ?? -(2 ** 31);
      const max = Math.min(schema.maximum ?? 2 ** 31, Number.MAX_SAFE_INTEGER);
      return fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max, min - 1, max + 1), hugeNumber);
    }
    case 'number':
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), hugeNumber);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(maybeConforming(schema.items, depth + 1), { maxLength: Math.min(schema.maxItems ?? 5, 5) });
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      if (properties.length > 0) {
        return fc.record(Object.fromEntries(properties.map(([name, property]) => [name, maybeConforming(property, depth + 1)])), { requiredKeys: schema.required ?? [] });
      }
      if (typeof schema.additionalProperties === 'object') return fc.dictionary(nastyString, maybeConforming(schema.additionalProperties, depth + 1), { maxKeys: 3 });
      if (schema.additionalProperties === true) return fc.dictionary(nastyString, jsonish, { maxKeys: 4 });
      return fc.constant({});
    }
    default:
      return jsonish;
  }
}

/** Mostly a value the schema accepts the shape of; sometimes anything at all. */
const maybeConforming = (schema: JsonSchema | undefined, depth: number): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 9, arbitrary: conforming(schema, depth) }, { weight: 1, arbitrary: jsonish });

/** An object built from the route's own body fields (required ones always), rarely with a foreign field. */
function schemaBody(route: RouteInfo): fc.Arbitrary<unknown> {
  const properties = route.bodySchema?.properties ?? { name: { type: 'string' } };
  const required = route.bodySchema?.required ?? [];
  const optional = Object.keys(properties).filter((name) => !required.includes(name));
  const pick = optional.length === 0 ? fc.constant<string[]>([]) : fc.uniqueArray(fc.constantFrom(...optional), { maxLength: Math.min(optional.length, 3) });
  return fc
    .tuple(
      pick.chain((names) => fc.tuple(...[...required, ...names].map((name) => maybeConforming(properties[name], 1).map((value) => [name, value] as const)))),
      fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...FOREIGN_FIELDS), jsonish) }),
    )
    .map(([pairs, foreign]) => {
      const body: Record<string, unknown> = {};
      for (const [name, value] of pairs) body[name] = value;
      // defineProperty: a plain assignment of "__proto__" would set the prototype, not a field.
      if (foreign !== null) Object.defineProperty(body, foreign[0], { value: foreign[1], enumerable: true, writable: true, configurable: true });
      return body;
    });
}

interface Payload {
  /** The raw body text, or undefined for no body. */
  text: string | undefined;
  contentType: string | undefined;
}

const JSON_TYPE = 'application/json';
const deepNesting = fc.integer({ min: 1, max: Math.floor(BODY_LIMIT / 2) - 4 }).chain((depth) =>
  fc.constantFrom(`${'['.repeat(depth)}${']'.repeat(depth)}`, `${'{"a":'.repeat(Math.floor(depth / 5))}1${'}'.repeat(Math.floor(depth / 5))}`, '['.repeat(depth)),
);
const rawJsonish = fc.oneof(
  fc.constantFrom('{', '}', '{"a":', '[', 'nul', 'tru', '"', '{"a":1,}', "{'a':1}", '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', `{"a":${'9'.repeat(5000)}}`, '1e99999', '\u0000', '\ufeff{}', '{"a":"\\ud800"}', '{"a":"\\u0000"}'),
  fc.string({ unit: 'binary', maxLength: 200 }),
  deepNesting,
);

function payloadFor(route: RouteInfo): fc.Arbitrary<Payload> {
  const json = (value: unknown): Payload => {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch {
      text = undefined;
    }
    return { text, contentType: JSON_TYPE };
  };
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<Payload>({ text: undefined, contentType: undefined }) },
    { weight: 8, arbitrary: schemaBody(route).map(json) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(json) },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true }).map(json) },
    { weight: 2, arbitrary: rawJsonish.map((text) => ({ text, contentType: JSON_TYPE })) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'application/jsonx', 'application/json; charset=latin1', '*/*', ';', 'application/vnd.api+json'),
        fc.oneof(fc.constant('{}'), fc.string({ maxLength: 50 })),
      ).map(([contentType, text]) => ({ text, contentType })),
    },
    { weight: 1, arbitrary: fc.integer({ min: BODY_LIMIT + 1, max: BODY_LIMIT + 4000 }).map((n) => ({ text: `{"a":"${'x'.repeat(n)}"}`, contentType: JSON_TYPE })) },
  );
}

/**
 * A path segment: uuid-like, garbage, long (up to the router's 2048-character limit), traversal,
 * NUL, SQL, unicode (URL-encoded), or a real id. Segments the router itself refuses (bad percent
 * escapes, over 2048 characters) have their own test below.
 */
const ROUTER_REFUSED_SEGMENTS = ['%', '%ZZ', '%ff', '%c0%ae', '%E0%A4%A', 'a'.repeat(2049), 'a'.repeat(5000)];

function pathSegment(real: readonly string[]): fc.Arbitrary<string> {
  const garbage = fc.oneof(
    { weight: 3, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.uuid().map((u) => u.toUpperCase()) },
    { weight: 1, arbitrary: fc.uuid().map((u) => u.replaceAll('-', '')) },
    { weight: 1, arbitrary: fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '-'.repeat(36), 'g'.repeat(36), `${randomUUID()} `).map(pct) },
    { weight: 3, arbitrary: nastyString.map(pct) },
    { weight: 1, arbitrary: fc.constantFrom('..', '.', '%2e%2e', '%2e%2e%2f', '..%2f..%2f', '%00', '%2500', ';', ':', '@', '~', '%20', '+') },
    { weight: 1, arbitrary: fc.constantFrom(1000, 2047, 2048).map((n) => 'a'.repeat(n)) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(pct) },
  );
  // With real ids at hand, most requests use them, so that handlers reach real rows.
  return real.length === 0 ? garbage : fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: garbage });
}

/** A cursor that decodes to something date-ish and id-ish. */
const craftedCursor = fc
  .tuple(
    fc.constantFrom('2026-01-01T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', 'not a date', '0', ''),
    fc.constantFrom(randomUUID(), '-'.repeat(36), 'f'.repeat(36), '9'.repeat(19), '99999999999999999999', '1', "1' or '1'='1", ''),
    fc.constantFrom('', '|extra'),
  )
  .map(([at, id, tail]) => b64(`${at}|${id}${tail}`));

const QUERY_VALUES = fc.oneof(
  { weight: 3, arbitrary: nastyString },
  { weight: 2, arbitrary: craftedCursor },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 500 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('1e3', '0x10', '1.5', '+1', ' 1', '', 'true', '[]', '{}') },
);

const asQueryText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');

function queryFor(route: RouteInfo): fc.Arbitrary<string> {
  const known = route.query.map((name) => {
    const values = name === 'cursor' ? fc.oneof(craftedCursor, QUERY_VALUES) : fc.oneof({ weight: 3, arbitrary: conforming(route.querySchemas[name]).map(asQueryText) }, { weight: 1, arbitrary: QUERY_VALUES });
    return fc.tuple(fc.constant(name), values);
  });
  const unknown = fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'cursor[]', 'limit[0]', 'a.b', ''), fc.string({ maxLength: 10 })), QUERY_VALUES);
  const pairArbitrary = known.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.oneof(...known) }, { weight: 1, arbitrary: unknown }) : unknown;
  const pair = fc.tuple(pairArbitrary, fc.integer({ min: 0, max: 5 })).map(([[name, value], rawness]) =>
    // Mostly encoded; sometimes raw, as a careless or hostile client sends it.
    rawness === 0 ? `${name.replace(/[#\s?&]/g, '')}=${value.replace(/[#\s&]/g, '')}` : `${pct(name)}=${pct(value)}`,
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant('') },
    { weight: 6, arbitrary: fc.array(pair, { minLength: 1, maxLength: 3 }).map((pairs) => `?${pairs.join('&')}`) },
    { weight: 1, arbitrary: fc.constantFrom('?', '??', '?&&', '?=', '?%', '?a=%ZZ', '?limit=1&limit=2', `?cursor=${'A'.repeat(300)}`, '?format=csv', '?format=csv&limit=1') },
  );
}

const visibleAscii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 120 });
const headerValue = fc.oneof(visibleAscii, fc.constantFrom('é', 'ÿÿÿ', 'a'.repeat(2000), '', ' '));

const jwtLike = fc
  .tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 60 }))
  .map(([header, payload, signature]) => `${b64(JSON.stringify(header ?? null))}.${b64(JSON.stringify(payload ?? null))}.${b64(signature)}`);

const credentialLike = fc.oneof(
  fc.constantFrom('sk', 'svc').chain((type) => fc.constantFrom('live', 'test').map((env) => generateCredential(type as 'sk' | 'svc', env as 'live' | 'test').token)),
  fc.constantFrom('sk_live_', 'svc_live_', 'sk_test_').chain((prefix) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF.'), maxLength: 70 }).map((rest) => prefix + rest)),
);

/** Authorization header values a client may send. */
const authorization = fc.oneof(
  { weight: 2, arbitrary: fc.constant<string | undefined>(undefined) },
  { weight: 2, arbitrary: visibleAscii },
  { weight: 2, arbitrary: visibleAscii.map((s) => `Bearer ${s}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', 'Bearer  ', 'Bearer\t'), credentialLike).map(([scheme, c]) => `${scheme} ${c}`) },
  { weight: 3, arbitrary: credentialLike.map((c) => `Bearer ${c}`) },
  { weight: 3, arbitrary: jwtLike.map((j) => `Bearer ${j}`) },
  { weight: 1, arbitrary: fc.integer({ min: 193, max: 400 }).map((n) => `Bearer ${'a'.repeat(n)}`) },
);

const HEADER_NAMES = ['x-request-id', 'x-forwarded-for', 'cookie', 'accept', 'accept-encoding', 'content-encoding', 'x-http-method-override', 'origin', 'user-agent', 'x-forwarded-proto', 'if-none-match', 'range'];
const headerName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HEADER_NAMES) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: 1, maxLength: 20 }).map((n) => `x-${n}`) },
);
const extraHeaders = fc.dictionary(headerName, headerValue, { maxKeys: 4 }).map((headers) => {
  // Half of the cookies carry a (random) refresh token, as the refresh route reads it.
  if (typeof headers.cookie === 'string' && headers.cookie.length % 2 === 0) headers.cookie = `refreshToken=${headers.cookie.replace(/[;\s]/g, '')}`;
  return headers;
});

interface Case {
  path: string;
  query: string;
  payload: Payload;
  headers: Record<string, string>;
  authorization: string | undefined;
  method: string;
}

function caseFor(route: RouteInfo, realIds: Record<string, string>, auth: fc.Arbitrary<string | undefined>): fc.Arbitrary<Case> {
  const all = Object.values(realIds);
  const params = fc.tuple(
    ...route.params.map((name) => {
      const own = realIds[name];
      // The right kind of id most of the time; another real id (a key id where a service id goes) sometimes.
      return pathSegment(own === undefined ? all : [own, own, own, own, own, own, own, ...all]);
    }),
  );
  const wildcard = route.path.endsWith('*') ? nastyString.map((text) => pct(text).replaceAll('%2F', '/')) : fc.constant('');
  return fc
    .record({
      params,
      wildcard,
      query: queryFor(route),
      payload: payloadFor(route),
      headers: extraHeaders,
      authorization: auth,
      // Mostly the route's own method; sometimes another, which must be a clean 404.
      method: fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'OPTIONS', 'TRACE', 'PATCH', 'DELETE', 'POST') }),
    })
    .map(({ params: values, wildcard: rest, query, payload, headers, authorization: header, method }) => ({
      path: fillPath(route, Object.fromEntries(route.params.map((name, i) => [name, values[i] ?? ''])), rest),
      query,
      payload,
      headers,
      authorization: header,
      method,
    }));
}

// ---------------------------------------------------------------------------------------------
// Sending and checking

interface Failure {
  reason: string;
  request: string;
  response: string;
}

function describeRequest(c: Case): string {
  const body = c.payload.text === undefined ? '' : ` body=${JSON.stringify(c.payload.text.slice(0, 300))}${c.payload.text.length > 300 ? `…(${c.payload.text.length} chars)` : ''}`;
  const type = c.payload.contentType === undefined ? '' : ` content-type=${JSON.stringify(c.payload.contentType)}`;
  const auth = c.authorization === undefined ? '' : ` authorization=${JSON.stringify(c.authorization.slice(0, 80))}`;
  const headers = Object.keys(c.headers).length === 0 ? '' : ` headers=${JSON.stringify(c.headers).slice(0, 200)}`;
  return `${c.method} ${(c.path + c.query).slice(0, 300)}${type}${body}${auth}${headers}`;
}

async function send(t: TestApp, c: Case): Promise<LightMyRequestResponse | 'timeout'> {
  const headers: Record<string, string> = { ...c.headers };
  if (c.payload.contentType !== undefined) headers['content-type'] = c.payload.contentType;
  if (c.authorization !== undefined) headers.authorization = c.authorization;
  const options: InjectOptions = { method: c.method as InjectOptions['method'], url: c.path + c.query, headers };
  if (c.payload.text !== undefined) options.payload = c.payload.text;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), REQUEST_TIMEOUT_MS);
  });
  try {
    return await Promise.race([t.app.inject(options), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const isCatalogueCode = (code: unknown): code is keyof typeof ERROR_STATUS => typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
const isOutcome = (code: unknown): code is keyof typeof VERIFY_STATUS => typeof code === 'string' && code !== 'valid' && Object.hasOwn(VERIFY_STATUS, code);

/** The reasons a response breaks the contract, or [] when it keeps it. */
function contractViolations(route: RouteInfo, response: LightMyRequestResponse): string[] {
  const problems: string[] = [];
  const status = response.statusCode;
  if (status >= 500) problems.push(`status ${status}`);
  if (typeof response.headers['x-request-id'] !== 'string') problems.push('no X-Request-Id header');
  if (status < 400) {
    if (route.path.endsWith('*') && status === 200 && /root:x:0:0|"name":\s*"elyzor"/.test(response.body)) problems.push('served a file outside the documentation assets');
    return problems;
  }
  // The Unkey-compatible face keeps Unkey's error contract instead (docs/unkey.md).
  if (route.path.startsWith('/v2/')) return [...problems, ...unkeyViolations(response, route.path)];
  const contentType = String(response.headers['content-type'] ?? '');
  if (!contentType.startsWith('application/json')) return [...problems, `status ${status} with content-type ${JSON.stringify(contentType)}`];
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return [...problems, `status ${status} with a body that is not JSON`];
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [...problems, `status ${status} with a body that is not an object`];
  const { error, message, requestId, valid } = body as Record<string, unknown>;
  if (isCatalogueCode(error)) {
    if (ERROR_STATUS[error] !== status) problems.push(`code ${error} with status ${status} (catalogue: ${ERROR_STATUS[error]})`);
    // Outside the verification shape, the full envelope.
    if (!(route.verify && isOutcome(error))) {
      if (typeof message !== 'string' || message === '') problems.push(`code ${error} without a message`);
      if (requestId !== response.headers['x-request-id']) problems.push(`code ${error} without the request id in the body`);
    }
  } else if (route.verify && isOutcome(error)) {
    if (VERIFY_STATUS[error] !== status) problems.push(`outcome ${error} with status ${status} (outcome table: ${VERIFY_STATUS[error]})`);
    if (valid !== false) problems.push(`outcome ${error} without valid: false`);
  } else {
    problems.push(`status ${status} with error ${JSON.stringify(error)}, not a catalogue code${route.verify ? ' nor a verification outcome' : ''}`);
  }
  return problems;
}

/** Unkey's error shape: `{meta: {requestId}, error: {title, detail, status, type, errors?}}`, 400s with `errors[]`, 429 (and every error of a few routes) as problem+json. */
function unkeyViolations(response: LightMyRequestResponse, path: string): string[] {
  const status = response.statusCode;
  const contentType = String(response.headers['content-type'] ?? '');
  const expected = status === 429 || PROBLEM_JSON_ROUTES.has(path) ? 'application/problem+json' : 'application/json';
  if (!contentType.startsWith(expected)) return [`status ${status} with content-type ${JSON.stringify(contentType)}`];
  let body: { meta?: { requestId?: unknown }; error?: { title?: unknown; detail?: unknown; status?: unknown; type?: unknown; errors?: unknown } };
  try {
    body = JSON.parse(response.body) as typeof body;
  } catch {
    return [`status ${status} with a body that is not JSON`];
  }
  const problems: string[] = [];
  if (body.meta?.requestId !== response.headers['x-request-id']) problems.push(`status ${status} without the request id in meta`);
  const error = body.error;
  if (error === undefined || typeof error.title !== 'string' || typeof error.detail !== 'string' || typeof error.type !== 'string') return [...problems, `status ${status} without Unkey's error object`];
  if (error.status !== status) problems.push(`status ${status} with error.status ${String(error.status)}`);
  if (status === 400 && (!Array.isArray(error.errors) || error.errors.length === 0)) problems.push('a 400 without errors[]');
  return problems;
}

/** Runs the property over one route, collecting every contract violation (not only the first). */
async function fuzzRoute(
  t: TestApp,
  route: RouteInfo,
  cases: fc.Arbitrary<Case>,
  numRuns: number,
  before?: (c: Case) => Promise<Case>,
  examples: Case[] = [],
): Promise<{ failures: Failure[]; statuses: Map<number, number> }> {
  const failures: Failure[] = [];
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(cases, async (generated) => {
      const c = before === undefined ? generated : await before(generated);
      const response = await send(t, c);
      if (response === 'timeout') {
        failures.push({ reason: `no answer within ${REQUEST_TIMEOUT_MS} ms`, request: describeRequest(c), response: '' });
        return;
      }
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      for (const reason of contractViolations(route, response)) {
        failures.push({ reason, request: describeRequest(c), response: `${response.statusCode} ${response.body.slice(0, 300)}` });
      }
    }),
    { numRuns, examples: examples.map((c) => [c] as [Case]) },
  );
  return { failures, statuses };
}

/** One line per distinct reason, with up to three requests that show it. */
function report(failures: Failure[]): string {
  const byReason = new Map<string, Failure[]>();
  for (const f of failures) {
    const key = f.reason;
    byReason.set(key, [...(byReason.get(key) ?? []), f]);
  }
  return [...byReason.entries()]
    .map(([reason, list]) => `${reason} (${list.length}×)\n${list.slice(0, 3).map((f) => `    ${f.request}\n      → ${f.response}`).join('\n')}`)
    .join('\n');
}

const routeName = (route: RouteInfo): string => `${route.method} ${route.path}`;
/**
 * Whatever a request did, the project's data must stay readable: a row that was half-written or
 * stored in a form the service cannot read back would break these lists for good.
 */
async function unreadable(t: TestApp, token: string, projectId: string): Promise<string[]> {
  const problems: string[] = [];
  const projects = await t.app.inject({ method: 'GET', url: '/v1/projects', headers: bearer(token) });
  if (projects.statusCode !== 200) problems.push(`GET /v1/projects → ${projects.statusCode} ${projects.body.slice(0, 120)}`);
  const exists = projects.statusCode === 200 && projects.json<Array<{ id: string }>>().some((p) => p.id === projectId);
  if (!exists) return problems;
  for (const path of ['keys', 'services', 'audit', 'stats', 'audit?format=csv']) {
    const response = await t.app.inject({ method: 'GET', url: `/v1/projects/${projectId}/${path}`, headers: bearer(token) });
    if (response.statusCode !== 200) problems.push(`GET /v1/projects/:projectId/${path} → ${response.statusCode} ${response.body.slice(0, 120)}`);
  }
  return problems;
}

const endsSession = (route: RouteInfo): boolean => route.path === '/v1/auth/logout' || route.path === '/v1/auth/logout-all';

// ---------------------------------------------------------------------------------------------
// Hostile values in every field, derived from the schemas: deterministic, so that every field of
// every route meets each of them on every run.

/** Values of the right JSON type with hostile content, for one schema. */
function hostileValues(schema: JsonSchema | undefined, depth = 0): unknown[] {
  if (schema === undefined || depth > 3) return [];
  if (schema.anyOf !== undefined) return schema.anyOf.flatMap((branch) => hostileValues(branch, depth));
  if (schema.enum !== undefined) return [];
  switch (schema.type) {
    case 'string':
      if (schema.format === 'date-time') return EDGE_DATE_TIMES;
      return ['a\u0000b', '\u0000', '\ud800', '\u001b[31m', '__proto__', 'x'.repeat(Math.min(schema.maxLength ?? 1000, 1000))];
    case 'integer':
      return [schema.minimum ?? -(2 ** 53), schema.maximum ?? 2 ** 53];
    case 'array':
      return hostileValues(schema.items, depth + 1).map((item) => [item]);
    case 'object': {
      const values: unknown[] = [];
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        const base = validValue(schema) as Record<string, unknown>;
        for (const value of hostileValues(property, depth + 1)) values.push({ ...base, [name]: value });
      }
      const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : schema.additionalProperties === true ? { type: 'string' } : undefined;
      if (extra !== undefined && Object.keys(schema.properties ?? {}).length === 0) {
        const sample = validValue(extra);
        values.push({ 'a\u0000b': sample }, { '\ud800': sample }, { __proto__x: sample });
        for (const value of hostileValues(extra, depth + 1)) values.push({ k: value });
      }
      return values;
    }
    default:
      return [];
  }
}

interface Variant {
  name: string;
  query: string;
  body: unknown;
}

/** One request per (field, hostile value): body fields first, then query parameters. */
function hostileVariants(route: RouteInfo): Variant[] {
  const variants: Variant[] = [];
  const schema = route.bodySchema;
  const base = (): Record<string, unknown> => (schema === undefined ? {} : (validValue(schema) as Record<string, unknown>));
  for (const [field, property] of Object.entries(schema?.properties ?? {})) {
    for (const value of hostileValues(property)) variants.push({ name: `body ${field}=${JSON.stringify(value).slice(0, 60)}`, query: '', body: { ...base(), [field]: value } });
  }
  for (const name of route.query) {
    const values = [...hostileValues(route.querySchemas[name]).filter((v): v is string => typeof v === 'string'), 'constructor', 'hasOwnProperty'];
    if (name === 'cursor') {
      for (const at of ['-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']) {
        for (const id of [randomUUID(), '-'.repeat(36), '9'.repeat(19), '99999999999999999999']) values.push(b64(`${at}|${id}`));
      }
    }
    for (const value of values) variants.push({ name: `query ${name}=${JSON.stringify(value).slice(0, 60)}`, query: `?${name}=${pct(value)}`, body: schema === undefined ? undefined : base() });
  }
  return variants;
}


describe(`fuzzing every route (${backend})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ logLevel: 'silent' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('found the routes to fuzz in the app itself', () => {
    const names = routes.map(routeName);
    // A few anchors, so that a broken discovery cannot make this suite pass on an empty list.
    for (const expected of ['POST /v1/auth/register', 'GET /v1/projects', 'PATCH /v1/projects/:projectId/keys/:keyId', 'POST /v1/verify', 'POST /v1/verify/service', 'GET /v1/projects/:projectId/audit', 'GET /openapi.json']) {
      expect(names).toContain(expected);
    }
    expect(routes.length).toBeGreaterThanOrEqual(30);
  });

  describe('with path segments the router refuses (bad percent escapes, over 2048 characters)', () => {
    const withParams = routes.filter((r) => r.params.length > 0);
    it.each(withParams.map((r) => [routeName(r), r] as const))('%s: answers in the error envelope, with a catalogue code and a request id', async (_name, route) => {
      const user = await registerUser(t.app);
      const failures: Failure[] = [];
      for (const segment of ROUTER_REFUSED_SEGMENTS) {
        for (const authorization of [undefined, `Bearer ${user.accessToken}`]) {
          const c: Case = {
            path: fillPath(route, Object.fromEntries(route.params.map((name) => [name, segment]))),
            query: '',
            payload: { text: undefined, contentType: undefined },
            headers: {},
            authorization,
            method: route.method,
          };
          const response = await send(t, c);
          if (response === 'timeout') failures.push({ reason: `no answer within ${REQUEST_TIMEOUT_MS} ms`, request: describeRequest(c), response: '' });
          else for (const reason of contractViolations(route, response)) failures.push({ reason, request: describeRequest(c), response: `${response.statusCode} ${response.body.slice(0, 200)}` });
        }
      }
      expect(failures.length, report(failures)).toBe(0);
    });
  });

  describe('without credentials', () => {
    it.each(routes.map((r) => [routeName(r), r] as const))('%s: never a 5xx, never a hang, always a catalogue code', async (_name, route) => {
      const { failures } = await fuzzRoute(t, route, caseFor(route, {}, authorization), RUNS);
      expect(failures.length, report(failures)).toBe(0);
    }, 120_000);
  });

  describe('with a valid access token of a user who owns a project', () => {
    let owner: TestUser;
    let sentinel: { projectId: string; keyId: string; key: string; before: Record<string, unknown> };

    beforeAll(async () => {
      owner = await registerUser(t.app);
      const project = await createProject(t.app, owner.accessToken, 'sentinel');
      const key = await createKey(t.app, owner.accessToken, project.id, { label: 'sentinel' });
      const before = await t.app.inject({ method: 'GET', url: `/v1/projects/${project.id}/keys/${key.id}`, headers: bearer(owner.accessToken) });
      sentinel = { projectId: project.id, keyId: key.id, key: key.key, before: before.json() };
    });

    it.each(routes.map((r) => [routeName(r), r] as const))('%s: never a 5xx, never a hang, always a catalogue code', async (_name, route) => {
      // A fresh playground per route: its real ids are mixed into the path ids, so handlers
      // reach real rows (and may revoke, rotate or delete them).
      // The playground is a project of a team workspace of the owner's, with a member (who has
      // a role in the project), a pending invitation and a root key: the ids of the team routes.
      const team = await createWorkspace(t.app, owner.accessToken, 'playground');
      const member = await registerUser(t.app);
      await join(t.app, owner, team.id, member, 'viewer');
      const playground = await createProjectIn(t.app, owner.accessToken, team.id, 'playground');
      await t.app.inject({ method: 'PUT', url: `/v1/projects/${playground.id}/members/${member.id}`, headers: bearer(owner.accessToken), payload: { role: 'viewer' } });
      const key = await createKey(t.app, owner.accessToken, playground.id);
      const service = await createService(t.app, owner.accessToken, playground.id);
      const webhook = await createWebhook(t.app, owner.accessToken, playground.id);
      const pending = await invite(t.app, owner.accessToken, team.id, `pending-${randomUUID()}@example.com`, 'viewer');
      const rootKey = await createRootKey(t.app, owner.accessToken, team.id, []);
      const realIds = { id: playground.id, projectId: playground.id, keyId: key.id, serviceId: service.id, webhookId: webhook.id, deliveryId: webhook.deliveryId, workspaceId: team.id, userId: member.id, invitationId: pending.id, rootKeyId: rootKey.id };
      let auth: fc.Arbitrary<string | undefined>;
      if (route.verify) {
        const credential = route.path === '/v1/verify' ? key.key : service.key;
        auth = fc.oneof({ weight: 4, arbitrary: fc.constant(`Bearer ${credential}`) }, { weight: 1, arbitrary: authorization });
      } else {
        auth = fc.constant(`Bearer ${owner.accessToken}`);
      }
      // Routes that end the caller's session get a session of their own on every run.
      // Accepting an invitation needs a live one: every other run presents a fresh invitation's token.
      let runs = 0;
      const before = endsSession(route)
        ? async (c: Case): Promise<Case> => ({ ...c, authorization: `Bearer ${(await registerUser(t.app)).accessToken}` })
        : route.path === '/v1/invitations/accept'
          ? async (c: Case): Promise<Case> => {
              runs += 1;
              if (runs % 2 === 1) return c;
              const host = await createWorkspace(t.app, member.accessToken);
              const invitation = await invite(t.app, member.accessToken, host.id, owner.email, 'viewer');
              return { ...c, payload: { text: JSON.stringify({ token: invitation.token }), contentType: 'application/json' } };
            }
          : undefined;
      // Besides the random runs, one well-formed request (the schema's plainest valid body), so
      // that the check below does not hang on chance for routes whose bodies are hard to hit.
      const wellFormed: Case = {
        path: fillPath(route, Object.fromEntries(route.params.map((name) => [name, realIds[name as keyof typeof realIds] ?? randomUUID()]))),
        query: '',
        payload: route.bodySchema === undefined ? { text: undefined, contentType: undefined } : { text: JSON.stringify(validValue(route.bodySchema)), contentType: JSON_TYPE },
        headers: {},
        authorization: route.verify ? `Bearer ${route.path === '/v1/verify' ? key.key : service.key}` : `Bearer ${owner.accessToken}`,
        method: route.method,
      };
      const { failures, statuses } = await fuzzRoute(t, route, caseFor(route, realIds, auth), endsSession(route) ? RUNS_SESSION_ENDING : RUNS_AUTHENTICATED, before, [wellFormed]);
      expect(failures.length, report(failures)).toBe(0);
      expect(await unreadable(t, owner.accessToken, playground.id)).toEqual([]);
      // The random input reached the handlers behind the token (some requests succeeded), not
      // only the validator and the authentication.
      if (route.bearer || route.verify) {
        const succeeded = [...statuses.entries()].filter(([status]) => status >= 200 && status < 300).reduce((sum, [, n]) => sum + n, 0);
        expect(succeeded, `statuses: ${JSON.stringify([...statuses.entries()].sort())}`).toBeGreaterThan(0);
      }
    }, 120_000);

    it("left the user's data intact: the sentinel project and its one key exist, unchanged, and the key verifies", async () => {
      const keys = await t.app.inject({ method: 'GET', url: `/v1/projects/${sentinel.projectId}/keys`, headers: bearer(owner.accessToken) });
      expect(keys.statusCode, keys.body).toBe(200);
      expect(keys.json<Array<{ id: string }>>().map((k) => k.id)).toEqual([sentinel.keyId]);
      const after = await t.app.inject({ method: 'GET', url: `/v1/projects/${sentinel.projectId}/keys/${sentinel.keyId}`, headers: bearer(owner.accessToken) });
      expect(after.statusCode, after.body).toBe(200);
      expect(after.json()).toEqual(sentinel.before);
      const verified = await verifyKey(t.app, sentinel.key);
      expect(verified.statusCode, verified.body).toBe(200);
      expect(verified.json()).toMatchObject({ valid: true, projectId: sentinel.projectId, keyId: sentinel.keyId });
      // And the session that did the fuzzing still works.
      const me = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(owner.accessToken) });
      expect(me.statusCode, me.body).toBe(200);
    });
  });

  describe('with hostile values in every body field and query parameter (from the schemas)', () => {
    const withVariants = routes.filter((r) => hostileVariants(r).length > 0 && !r.verify && !endsSession(r));
    it.each(withVariants.map((r) => [routeName(r), r] as const))('%s: never a 5xx, always a catalogue code', async (_name, route) => {
      const user = await registerUser(t.app);
      const failures: Failure[] = [];
      const rows = async (): Promise<Record<string, string>> => {
        const project = await createProject(t.app, user.accessToken, 'hostile');
        const key = await createKey(t.app, user.accessToken, project.id);
        const service = await createService(t.app, user.accessToken, project.id);
        const webhook = await createWebhook(t.app, user.accessToken, project.id);
        return { id: project.id, projectId: project.id, keyId: key.id, serviceId: service.id, webhookId: webhook.id, deliveryId: webhook.deliveryId };
      };
      // Routes that use their target up (revoke, rotate, delete) get fresh rows for every request,
      // so that each variant meets a live credential.
      const usesUp = route.method === 'DELETE' || route.path.endsWith('/rotate');
      const shared = await rows();
      for (const variant of hostileVariants(route)) {
        const ids = usesUp ? await rows() : shared;
        const c: Case = {
          path: fillPath(route, ids, 'index.html'),
          query: variant.query,
          payload: variant.body === undefined ? { text: undefined, contentType: undefined } : { text: JSON.stringify(variant.body), contentType: JSON_TYPE },
          headers: {},
          authorization: `Bearer ${user.accessToken}`,
          method: route.method,
        };
        const response = await send(t, c);
        if (response === 'timeout') failures.push({ reason: `no answer within ${REQUEST_TIMEOUT_MS} ms`, request: variant.name, response: '' });
        else for (const reason of contractViolations(route, response)) failures.push({ reason: `${reason}: ${variant.name}`, request: describeRequest(c), response: `${response.statusCode} ${response.body.slice(0, 200)}` });
        if (usesUp) for (const problem of await unreadable(t, user.accessToken, ids.projectId ?? '')) failures.push({ reason: `data left unreadable: ${problem}`, request: describeRequest(c), response: '' });
      }
      for (const problem of await unreadable(t, user.accessToken, shared.projectId ?? '')) failures.push({ reason: `data left unreadable: ${problem}`, request: `after every variant of ${routeName(route)}`, response: '' });
      expect(failures.length, report(failures)).toBe(0);
    }, 120_000);
  });

  describe('with hostile values at the verify endpoints (real credentials)', () => {
    const verifyRoutes = routes.filter((r) => r.verify);
    it.each(verifyRoutes.map((r) => [routeName(r), r] as const))('%s: never a 5xx, always an outcome or a catalogue code', async (_name, route) => {
      const user = await registerUser(t.app);
      const project = await createProject(t.app, user.accessToken, 'hostile-verify');
      const failures: Failure[] = [];
      for (const variant of hostileVariants(route)) {
        const credential = route.path === '/v1/verify' ? await createKey(t.app, user.accessToken, project.id, { ipAllowlist: ['10.0.0.0/8'], scopes: ['read:x'] }) : await createService(t.app, user.accessToken, project.id, undefined, { ipAllowlist: ['10.0.0.0/8'], scopes: ['read:x'] });
        const c: Case = {
          path: route.path,
          query: variant.query,
          payload: { text: JSON.stringify(variant.body), contentType: JSON_TYPE },
          headers: {},
          authorization: `Bearer ${credential.key}`,
          method: route.method,
        };
        const response = await send(t, c);
        if (response === 'timeout') failures.push({ reason: `no answer within ${REQUEST_TIMEOUT_MS} ms`, request: variant.name, response: '' });
        else for (const reason of contractViolations(route, response)) failures.push({ reason: `${reason}: ${variant.name}`, request: describeRequest(c), response: `${response.statusCode} ${response.body.slice(0, 200)}` });
      }
      expect(failures.length, report(failures)).toBe(0);
    }, 120_000);
  });
});
