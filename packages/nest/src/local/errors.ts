import { isApiKeyError } from '@elyzor/keys';
import { ApiKeyAlreadyRevokedException, ApiKeyNotFoundException, conflict, invalidInput, unavailable } from '../exceptions.js';

/** A library error (keypal's `{ code, message }`, or a TypeError for bad input) as a Nest exception. */
export function toNestError(error: unknown, id: string): Error {
  if (error instanceof TypeError) return invalidInput(error.message);
  if (!isApiKeyError(error)) return error instanceof Error ? error : unavailable();
  switch (error.code) {
    case 'KEY_NOT_FOUND':
      return new ApiKeyNotFoundException(id);
    case 'ALREADY_REVOKED':
      return new ApiKeyAlreadyRevokedException(id);
    case 'CANNOT_MODIFY_REVOKED':
      return conflict('api_key_revoked', `API key ${JSON.stringify(id)} is revoked or rotated and cannot be changed`);
    case 'NOT_REVOKED':
      return conflict('api_key_state', `API key ${JSON.stringify(id)} is not revoked, so there is nothing to restore`);
    case 'ALREADY_ENABLED':
    case 'ALREADY_DISABLED':
      return conflict('api_key_state', `API key ${JSON.stringify(id)}: ${error.message}`);
    default:
      return unavailable();
  }
}

/** Runs a library call, rethrowing its errors as Nest exceptions. */
export async function nest<T>(id: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toNestError(error, id);
  }
}
