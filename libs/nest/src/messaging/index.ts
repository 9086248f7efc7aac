export * from './event-bus.js';
export * from './in-process-event-bus.js';
export * from './nats-event-bus.js';
export * from './in-process.transport.js';
export * from './shared-nats.transport.js';
export * from './service-bus.js';
export * from './oauth-rpc-exception.filter.js';
export * from './suite-runtime.js';
