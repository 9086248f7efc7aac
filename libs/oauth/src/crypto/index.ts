export * from './opaque-token.js';
export * from './key-encryption.js';
