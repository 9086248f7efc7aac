export * from './text-characters.js';
export * from './request-params.js';
export * from './stacked-decorators.js';
