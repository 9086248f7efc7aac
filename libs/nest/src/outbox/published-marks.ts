/**
 * Marks outbox rows published, many at a time (issue #20). Every event a
 * service publishes used to cost one `UPDATE … WHERE id = $1` of its own:
 * a round trip to PostgreSQL per event, a tenth of what a signed-in
 * authorization flow sent. Now the ids published while one update is under
 * way wait for the next, which marks them all with one `id = ANY($1)`
 * (group commit): one statement per event when the service is idle, one per
 * batch under load. A caller is answered once its own ids are marked, so
 * what it awaited still means "published and marked". If the update fails,
 * every caller of that batch hears it; the rows stay pending and the relay
 * publishes them again (JetStream drops the copy by its message id).
 */
export class PublishedMarks {
  private queue: Array<{ ids: readonly string[]; resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing = false;

  /** `mark(ids)` runs one statement marking every id given; a batch takes whole callers up to `maxBatch` ids. */
  constructor(
    private readonly mark: (ids: string[]) => Promise<unknown>,
    private readonly maxBatch = 500,
  ) {}

  /** Resolves when `ids` are marked published; rejects with the update's error. */
  add(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.queue.push({ ids, resolve, reject }));
    if (!this.flushing) void this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        let take = 0;
        let count = 0;
        while (take < this.queue.length && (take === 0 || count + this.queue[take]!.ids.length <= this.maxBatch)) count += this.queue[take++]!.ids.length;
        const batch = this.queue.splice(0, take);
        try {
          await this.mark(batch.flatMap((entry) => entry.ids));
          for (const entry of batch) entry.resolve();
        } catch (err: unknown) {
          for (const entry of batch) entry.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
