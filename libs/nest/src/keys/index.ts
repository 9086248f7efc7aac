export * from './signing-key-ring.js';
export * from './public-key-ring.js';
