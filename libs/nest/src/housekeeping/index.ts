export * from './expiring-rows.js';
export * from './janitor-connection.js';
export * from './janitor.js';
export * from './housekeeping.config.js';
export * from './janitor.provider.js';
