export * from './errors/index.js';
export * from './crypto/index.js';
export * from './scopes/index.js';
export * from './clients/index.js';
export * from './input/index.js';
