import 'reflect-metadata';
import { runStandalone } from '#nest';
import { startAuthorization } from './src/start.js';

await runStandalone('authorization', startAuthorization);
