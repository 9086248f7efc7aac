export * from './text-characters.js';
