export * from './request-context.js';
export * from './tracing.js';
export * from './process-log.js';
export * from './metrics.js';
export * from './management.server.js';
export * from './start-observability.js';
export * from './message-propagation.js';
