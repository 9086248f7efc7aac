#!/usr/bin/env node
// Compiles the workspace (tsc), copies the non-TypeScript assets that
// services read at run time (page templates, stylesheets) next to the
// compiled code, so dist/ is complete on its own (container images ship only
// dist/), and bundles each service into the dist/apps/<service>/main.js that
// deployments run (tools/bundle-services.mjs).
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bundleServices } from './bundle-services.mjs';

const ASSET = /\.(eta|css|svg)$/;

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });

function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (ASSET.test(name)) cpSync(path, join('dist', path));
  }
}
for (const root of ['apps', 'libs']) if (existsSync(root)) copyAssets(root);
// The operator CLI is package.json's `bin` (smart-auth): runnable as it is.
if (existsSync('dist/apps/cli/main.js')) chmodSync('dist/apps/cli/main.js', 0o755);
await bundleServices();
