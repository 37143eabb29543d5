import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

export type Validators = Record<'body' | 'querystring' | 'params' | 'headers', Ajv>;

/**
 * Request bodies are validated strictly: no type coercion (a number is not a name) and unknown
 * fields are refused, not stripped. Query strings and path params are strings on the wire, so
 * there numbers are coerced. Built once per app: Fastify's routes and the verify lane compile
 * their schemas with the same instances, so both refuse the same bodies with the same errors.
 */
export function createValidators(): Validators {
  const make = (coerce: boolean): Ajv => {
    const ajv = new Ajv({ coerceTypes: coerce ? 'array' : false, useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
    addFormats.default(ajv);
    return ajv;
  };
  const strict = make(false);
  const loose = make(true);
  return { body: strict, querystring: loose, params: loose, headers: loose };
}
