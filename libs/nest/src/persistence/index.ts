export * from './database.module.js';
export * from './database-outage.js';
export * from './transaction.js';
export * from './columns.js';
export * from './snake-case-naming.js';
