export * from './opaque-token.js';
export * from './key-encryption.js';
export * from './refresh-token-checksum.js';
