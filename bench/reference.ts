/**
 * Starting the benchmark's reference server (bench/reference-server.ts,
 * node-oidc-provider) as a process of its own, like the suite's services.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '#testing';

export { REFERENCE_CLIENT, REFERENCE_SCOPE } from './reference-client.js';

/** `jwt`: RFC 9068 access tokens, signed and not stored; `opaque`: stored tokens, which its introspection answers for. */
export type ReferenceFormat = 'jwt' | 'opaque';

export interface ReferenceServer {
  url: string;
  pid: number;
  stop: () => void;
}

export async function startReference(format: ReferenceFormat, audience: string): Promise<ReferenceServer> {
  const port = await freePort();
  const script = fileURLToPath(new URL('./reference-server.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH, PORT: String(port), REFERENCE_FORMAT: format, FHIR_BASE_URL: audience },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the reference server did not start: ${output}`)), 30_000);
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (/^listening \d+$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the reference server exited (${code}): ${output}`));
    });
  });
  // Its start-up warnings (in-memory adapter, Node version) were read above; from here on its output is not needed.
  child.stdout!.resume();
  child.stderr!.resume();
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => child.kill('SIGTERM') };
}
