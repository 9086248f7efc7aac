export * from './database.module.js';
export * from './database-outage.js';
export * from './transaction.js';
