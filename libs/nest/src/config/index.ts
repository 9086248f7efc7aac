export * from './load-config.js';
export * from './common.config.js';
export * from './is-key-encryption-key.js';
export * from './settings.js';
export * from './udap-extension-list.js';
