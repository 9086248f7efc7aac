import 'reflect-metadata';
import { runStandalone } from '#nest';
import { startJwks } from './src/start.js';

await runStandalone('jwks', startJwks);
