import { randomBytes } from 'node:crypto';
import { generateCredential } from '../../packages/core/dist/index.js';

/** Malformed strings of every kind the parser must turn away before any lookup. */
export function malformedTokens(n) {
  const tokens = [];
  for (let i = 0; i < n; i++) {
    const valid = generateCredential('sk').token;
    switch (i % 5) {
      case 0: // right shape, wrong checksum
        tokens.push(valid.slice(0, -1) + (valid.endsWith('A') ? 'B' : 'A'));
        break;
      case 1: // a character of the secret changed: the checksum no longer matches
        tokens.push(valid.slice(0, 30) + (valid[30] === 'x' ? 'y' : 'x') + valid.slice(31));
        break;
      case 2: // truncated
        tokens.push(valid.slice(0, 40 + (i % 20)));
        break;
      case 3: // a service identity at the key endpoint
        tokens.push(generateCredential('svc').token);
        break;
      default: // not a credential at all
        tokens.push(randomBytes(24).toString('base64url'));
    }
  }
  return tokens;
}

