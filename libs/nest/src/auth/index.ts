export * from './bearer-tokens.js';
