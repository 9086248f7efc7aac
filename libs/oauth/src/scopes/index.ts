export * from './smart-scope.js';
export * from './scope-set.js';
export * from './scope-negotiation.js';
