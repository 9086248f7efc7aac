import 'reflect-metadata';
import { runStandalone } from '#nest';
import { startGateway } from './src/start.js';

await runStandalone('gateway', startGateway);
