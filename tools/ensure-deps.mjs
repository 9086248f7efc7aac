#!/usr/bin/env node
// Installs the locked dependencies when they are missing or older than the
// lock file, so that `npm start` and `npm test` work straight after a clone.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const installed = 'node_modules/.package-lock.json';
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.error('# installing dependencies (npm ci)');
  execSync('npm ci --no-audit --no-fund --loglevel=error', { stdio: 'inherit' });
}
