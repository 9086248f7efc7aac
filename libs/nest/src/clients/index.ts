export * from './client-directory.js';
export * from './client-authenticator.js';
