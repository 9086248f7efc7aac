export * from './config/index.js';
export * from './messaging/index.js';
export * from './runtime/index.js';
export * from './persistence/index.js';
export * from './clients/index.js';
export * from './keys/index.js';
export * from './outbox/index.js';
export * from './auth/index.js';
