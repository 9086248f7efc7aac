import 'reflect-metadata';
import { runStandalone } from '#nest';
import { startIntrospection } from './src/start.js';

await runStandalone('introspection', startIntrospection);
