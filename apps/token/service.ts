import 'reflect-metadata';
import { runStandalone } from '#nest';
import { startToken } from './src/start.js';

await runStandalone('token', startToken);
