export * from './events.js';
export * from './thresholds.js';
