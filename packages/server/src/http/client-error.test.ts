import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '@elyzor/core';
import { clientErrorAnswer, clientErrorResponse } from './client-error.js';

describe('clientErrorAnswer', () => {
  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', 'request_timeout', 408],
    ['HPE_HEADER_OVERFLOW', 'header_too_large', 431],
    ['HPE_INVALID_CONTENT_LENGTH', 'validation_error', 400],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 'validation_error', 400],
    ['HPE_INVALID_HEADER_TOKEN', 'validation_error', 400],
    ['HPE_INVALID_TRANSFER_ENCODING', 'validation_error', 400],
    [undefined, 'validation_error', 400],
  ])('maps %s to %s (%i) from the catalogue', (code, expected, status) => {
    const answer = clientErrorAnswer(code);
    expect(answer.code).toBe(expected);
    expect(ERROR_STATUS[answer.code]).toBe(status);
  });

  it('writes a complete HTTP/1.1 response in the error envelope that closes the connection', () => {
    const text = clientErrorResponse({ code: 'header_too_large', message: 'Request headers are larger than 16 KB' }, 'req-1');
    const [head = '', body = ''] = text.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(head).toContain('\r\nConnection: close');
    expect(head).toContain('\r\nX-Request-Id: req-1');
    expect(head).toContain(`\r\nContent-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({ error: 'header_too_large', message: 'Request headers are larger than 16 KB', requestId: 'req-1' });
  });
});
