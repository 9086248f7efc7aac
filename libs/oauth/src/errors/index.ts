export * from './oauth-error.js';
export * from './oauth-errors.js';
