#!/usr/bin/env node
// smart-auth: the operator command line. A client of the public HTTP API
// (through the gateway), never of NATS or the database.
import { runCli } from './src/cli.js';

const code = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
// Pipes and files are written synchronously on Linux; exiting here also ends idle keep-alive sockets.
process.exit(code);
