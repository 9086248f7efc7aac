import 'reflect-metadata';
import { runStandalone } from '#nest';
import { startRegistration } from './src/start.js';

await runStandalone('registration', startRegistration);
