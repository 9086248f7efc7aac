import 'reflect-metadata';
import { runStandalone } from '#nest';
import { startAudit } from './src/start.js';

await runStandalone('audit', startAudit);
