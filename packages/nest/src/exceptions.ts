import { BadRequestException, ConflictException, NotFoundException, NotImplementedException, ServiceUnavailableException } from '@nestjs/common';

/** Thrown by `findById`, `revoke`, `rotate` and the other services for an unknown id (404). */
export class ApiKeyNotFoundException extends NotFoundException {
  constructor(id: string) {
    super({ statusCode: 404, error: 'Not Found', code: 'api_key_not_found', message: `API key ${JSON.stringify(id)} not found` });
  }
}

/** Thrown by `revoke` for a key that is revoked already (409). */
export class ApiKeyAlreadyRevokedException extends ConflictException {
  constructor(id: string) {
    super({ statusCode: 409, error: 'Conflict', code: 'api_key_already_revoked', message: `API key ${JSON.stringify(id)} is already revoked` });
  }
}

/** Malformed input to a service method (400), naming the field. */
export const invalidInput = (message: string): BadRequestException =>
  new BadRequestException({ statusCode: 400, error: 'Bad Request', code: 'validation_error', message });

/** A change that the key's state forbids (409): a revoked key cannot be suspended, rotated… */
export const conflict = (code: string, message: string): ConflictException => new ConflictException({ statusCode: 409, error: 'Conflict', code, message });

/** The store (or the Elyzor service) did not answer (503); its error is not passed on. */
export const unavailable = (): ServiceUnavailableException =>
  new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', code: 'service_unavailable', message: 'The API key store is unavailable' });

/**
 * A service (or method) that needs the app's own database, called in remote mode (501): Elyzor
 * keeps that data, and answers it through its own API.
 */
export const notInRemoteMode = (what: string): NotImplementedException =>
  new NotImplementedException({
    statusCode: 501,
    error: 'Not Implemented',
    code: 'not_available_in_remote_mode',
    message: `${what} is not available with adapter 'elyzor': it reads the app's own database`,
  });
