/** The count of a key in a window after an addition, and whether the addition was made. */
export interface WindowCount {
  count: number;
  added: boolean;
}

/**
 * Counters shared by every replica of a process kind, one per key and fixed
 * time window (the gateway's request-rate limits, issue #19): `add` adds
 * `delta` to the count of `key` in the window that starts at
 * `windowStartMs` unless the sum would pass `ceiling`, atomically, and
 * answers the count after it (every replica's additions included). A count
 * is forgotten some time after its window ended.
 */
export abstract class WindowCounterStore {
  abstract add(counter: string, key: string, windowStartMs: number, delta: number, ceiling?: number): Promise<WindowCount>;
}

/** An addition that lost its compare-and-set rounds to other replicas writing the same count: a busy key, not an outage. */
export class WindowCountContended extends Error {
  constructor(counter: string) {
    super(`window counter ${counter}: every compare-and-set round lost to another replica`);
    this.name = 'WindowCountContended';
  }
}
