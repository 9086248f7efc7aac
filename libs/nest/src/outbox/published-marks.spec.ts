import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PublishedMarks } from './published-marks.js';

/** A mark statement that takes `ms` and records what each run was given. */
function recorder(ms = 5, failOn?: (ids: string[]) => boolean): { runs: string[][]; mark: (ids: string[]) => Promise<void> } {
  const runs: string[][] = [];
  return {
    runs,
    mark: async (ids) => {
      runs.push(ids);
      await new Promise((r) => setTimeout(r, ms));
      if (failOn?.(ids)) throw new Error('database gone');
    },
  };
}

describe('PublishedMarks: outbox rows marked published in batches', () => {
  it('marks a lone caller at once, with one statement of its own ids', async () => {
    const { runs, mark } = recorder();
    await new PublishedMarks(mark).add(['a', 'b']);
    assert.deepEqual(runs, [['a', 'b']]);
  });

  it('gathers the ids that arrive while a statement runs into the next one, and answers each caller after its own ids', async () => {
    const { runs, mark } = recorder(20);
    const marks = new PublishedMarks(mark);
    const answered: string[] = [];
    const first = marks.add(['1']).then(() => answered.push('1'));
    const rest = Array.from({ length: 30 }, (_, i) => marks.add([`r${i}`]).then(() => answered.push(`r${i}`)));
    await Promise.all([first, ...rest]);
    assert.equal(runs.length, 2, `31 callers in ${runs.length} statements`);
    assert.deepEqual(runs[0], ['1']);
    assert.equal(runs[1]!.length, 30);
    assert.equal(answered.length, 31);
  });

  it('keeps a statement to maxBatch ids, never splitting one caller', async () => {
    const { runs, mark } = recorder(10);
    const marks = new PublishedMarks(mark, 4);
    await Promise.all([marks.add(['x']), marks.add(['a', 'b', 'c']), marks.add(['d', 'e']), marks.add(['f', 'g', 'h', 'i', 'j'])]);
    assert.deepEqual(runs, [['x'], ['a', 'b', 'c'], ['d', 'e'], ['f', 'g', 'h', 'i', 'j']]);
  });

  it('rejects every caller of a failed statement, and goes on with the next', async () => {
    const { runs, mark } = recorder(10, (ids) => ids.includes('bad'));
    const marks = new PublishedMarks(mark);
    const lone = marks.add(['ok1']);
    const failed = [marks.add(['bad']), marks.add(['with-bad'])];
    await lone;
    for (const f of failed) await assert.rejects(f, /database gone/);
    await marks.add(['after']);
    assert.deepEqual(runs, [['ok1'], ['bad', 'with-bad'], ['after']]);
  });

  it('answers an empty call without a statement', async () => {
    const { runs, mark } = recorder();
    await new PublishedMarks(mark).add([]);
    assert.equal(runs.length, 0);
  });
});
