import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { decide, MISSING_AUTH, UNAVAILABLE, verificationOf, routeScopes, type AuthOptions, type CredentialKind, type Decision, type Verification, type VerifiedOf } from './core.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The verification result, once `elyzorAuth` let the request through. */
    elyzor?: VerifiedOf<CredentialKind>;
  }
}

export interface ExpressAuthOptions<K extends CredentialKind = 'key'> extends AuthOptions<Request, K> {
  /** Elyzor gave no answer (unreachable, timeout, 5xx): handle it instead of the default 503. */
  onError?: (error: unknown, req: Request, res: Response, next: NextFunction) => void;
}

const verifications = new WeakMap<Request, Verification>();

function sources(req: Request): Parameters<typeof verificationOf>[2] {
  return {
    header: (name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    query: (name) => {
      const value = (req.query as Record<string, unknown>)[name];
      return typeof value === 'string' ? value : undefined;
    },
    cookieHeader: req.headers.cookie,
  };
}

function apply<K extends CredentialKind>(decision: Decision<K>, req: Request, res: Response, next: NextFunction): void {
  if (decision.kind === 'allow') {
    req.elyzor = decision.result;
    next();
    return;
  }
  res.status(decision.status).set(decision.headers).json(decision.body);
}

/**
 * `app.use(elyzorAuth({ elyzor }))`: verifies the credential a request presents; the result is
 * `req.elyzor`. `req.ip` (Express's, so `trust proxy` applies) goes to Elyzor for IP rules.
 */
export function elyzorAuth<K extends CredentialKind = 'key'>(options: ExpressAuthOptions<K>): RequestHandler {
  return (req, res, next) => {
    const verification = verificationOf(options, req, sources(req), req.ip);
    verifications.set(req, verification);
    decide<K>(verification).then(
      (decision) => apply(decision, req, res, next),
      (error: unknown) => {
        if (options.onError !== undefined) options.onError(error, req, res, next);
        else res.status(UNAVAILABLE.status).json(UNAVAILABLE.body);
      },
    );
  };
}

/** Per route, after `elyzorAuth`: `app.post('/invoices', requireScopes('write:invoices'), handler)`. */
export function requireScopes(...scopes: string[]): RequestHandler {
  return (req, res, next) => {
    const verification = verifications.get(req);
    const passed = req.elyzor;
    if (verification === undefined || passed === undefined) {
      next(new Error(MISSING_AUTH));
      return;
    }
    routeScopes(verification, passed, scopes).then(
      (decision) => apply(decision, req, res, next),
      () => res.status(UNAVAILABLE.status).json(UNAVAILABLE.body),
    );
  };
}

export type { AuthOptions, CredentialKind, VerifiedOf } from './core.js';
