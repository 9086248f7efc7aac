export * from './namespace.js';
export * from './client-record.js';
export * from './discovery.js';
export * from './token-payloads.js';
export * from './registration-payloads.js';
export * from './jwks-payloads.js';
export * from './rpc.js';
export * from './events.js';
