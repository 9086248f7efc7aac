export * from './dpop-proof.verifier.js';
export * from './dpop-nonce.js';
export * from './dpop-signing-algs.js';
