export * from './text-characters.js';
export * from './request-params.js';
