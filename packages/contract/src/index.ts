export * from './errors.js';
export * from './schemas.js';
export * from './verify.js';
export * from './teams.js';
export * from './webhooks.js';
