import { errorOf, type Transport } from './transport.js';
import type { VerifyFailure, VerifyKeyResult, VerifyOptions, VerifyServiceResult } from './types.js';

/** A verification's whole answer: the body as the API gave it, its status and limit headers. */
export interface VerifyAnswer<R> {
  status: number;
  result: R;
  /** The headers a protected API passes on to its client: `RateLimit`, `RateLimit-Policy`, `Retry-After`. */
  headers: Record<string, string>;
}

const PASSED_ON = ['ratelimit', 'ratelimit-policy', 'retry-after'];

const isVerifyBody = (body: unknown): body is { valid: boolean; error?: string } =>
  typeof body === 'object' && body !== null && typeof (body as { valid?: unknown }).valid === 'boolean';

/**
 * POST /v1/verify or /v1/verify/service with `credential` as the bearer. A refusal (401, 403,
 * 429 in the verify shape) resolves; a malformed request (400) and an unreachable or failing
 * Elyzor throw ElyzorError. Retried only when the connection was never made: a verification
 * that may have reached the server has spent limits and is not sent twice.
 */
export async function verifyAnswer<R extends VerifyKeyResult | VerifyServiceResult>(
  transport: Transport,
  path: '/v1/verify' | '/v1/verify/service',
  credential: string,
  options: VerifyOptions,
): Promise<VerifyAnswer<R>> {
  const answer = await transport.send({ method: 'POST', path, body: options, auth: { bearer: credential }, retry: 'before_connection' });
  const refused = answer.status === 401 || answer.status === 403 || answer.status === 429;
  if (!isVerifyBody(answer.body) || !(answer.status === 200 || refused) || (answer.status !== 200) === answer.body.valid) throw errorOf(answer);
  const headers: Record<string, string> = {};
  for (const name of PASSED_ON) {
    const value = answer.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: answer.status, result: answer.body as R, headers };
}

export const isRefusal = (result: VerifyKeyResult | VerifyServiceResult): result is VerifyFailure => !result.valid;
