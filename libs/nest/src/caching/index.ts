export * from './bounded-entries.js';
