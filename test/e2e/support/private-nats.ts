import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '#testing';

/** The machine's nats-server binary, when there is one. */
export const NATS_BINARY = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'].find((p) => existsSync(p));

/** A nats-server of one test alone (the machine's shared one serves other tests): stopped and started again on the same port and store. */
export class PrivateNats {
  private child?: ChildProcess;
  private constructor(
    readonly port: number,
    private readonly store: string,
  ) {}

  static async start(): Promise<PrivateNats> {
    const nats = new PrivateNats(await freePort(), mkdtempSync(join(tmpdir(), 'private-nats-')));
    await nats.resume();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async resume(): Promise<void> {
    this.child = spawn(NATS_BINARY!, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.store], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = connect(this.port, '127.0.0.1', () => resolve(true)).on('error', () => resolve(false));
        socket.setTimeout(500, () => resolve(false));
        setTimeout(() => socket.destroy(), 600);
      });
      if (open) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the private nats-server did not start');
  }

  async halt(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async remove(): Promise<void> {
    await this.halt();
    rmSync(this.store, { recursive: true, force: true });
  }
}
