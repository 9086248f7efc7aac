export * from './free-port.js';
export * from './suite-harness.js';
export * from './shared-suite.js';
export * from './scratch-database.js';
export * from './reconnecting-event-bus.js';
export * from './udap-pki.js';
export * from './scratch-janitor.js';
