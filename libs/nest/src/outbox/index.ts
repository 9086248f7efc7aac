export * from './outbox.js';
export * from './outbox.migration.js';
