export * from './runtime.module.js';
export * from './health.controller.js';
export * from './start-microservice.js';
export * from './run-standalone.js';
