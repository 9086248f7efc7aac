#!/usr/bin/env node
// smart-auth: the operator command line. A client of the public HTTP API
// (through the gateway), never of NATS or the database.
import { runCli } from './src/cli.js';

// `smart-auth clients list | head`: a reader that went away is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
}

const code = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
// Pipes and files are written synchronously on Linux; exiting here also ends idle keep-alive sockets.
process.exit(code);
