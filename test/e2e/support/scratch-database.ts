import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scratchServerDatabase } from '#testing';
import { EmbeddedDatabase } from '../../../apps/suite/src/embedded-database.js';

/** An empty database of its own for one test file: on the server of DATABASE_URL, else an embedded PGlite. */
export async function scratchDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return scratchServerDatabase(prefix, process.env.DATABASE_URL);
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const db = await EmbeddedDatabase.start(dir);
  return {
    url: db.url,
    drop: async () => {
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
