export * from './compact-jws.js';
export * from './signing-key.js';
export * from './signing-key-ring.js';
export * from './public-key-ring.js';
