export * from './json-response.js';
