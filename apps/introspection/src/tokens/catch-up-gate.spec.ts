import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CatchUpGate } from './catch-up-gate.js';

describe('CatchUpGate', () => {
  it('starts closed, and a waiter gives up after its time', async () => {
    const gate = new CatchUpGate();
    assert.equal(gate.isOpen, false);
    const started = Date.now();
    assert.equal(await gate.wait(30), false);
    assert.ok(Date.now() - started >= 25);
  });

  it('wakes every waiter when it opens, and answers at once while open', async () => {
    const gate = new CatchUpGate();
    const waiters = [gate.wait(5000), gate.wait(5000)];
    setTimeout(() => gate.open(), 10);
    assert.deepEqual(await Promise.all(waiters), [true, true]);
    const started = Date.now();
    assert.equal(await gate.wait(5000), true);
    assert.ok(Date.now() - started < 50);
  });

  it('closes again (a lost connection): new waiters wait for the next opening', async () => {
    const gate = new CatchUpGate();
    gate.open();
    gate.close();
    assert.equal(gate.isOpen, false);
    const waiter = gate.wait(5000);
    gate.open();
    assert.equal(await waiter, true);
  });
});
