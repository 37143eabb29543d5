export * from './actions.js';
export * from './decide.js';
export * from './membership.js';
export * from './permissions.js';
export * from './roles.js';
export * from './unkey-services.js';
