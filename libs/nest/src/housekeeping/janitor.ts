import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { metricsExposing } from '../observability/metrics.js';
import { backlogStatement, labelOf, purgeStatement, type ExpiringRows } from './expiring-rows.js';
import type { JanitorConnection, JanitorConnector } from './janitor-connection.js';

export interface JanitorSettings {
  /** Between the start of two rounds (ms). */
  intervalMs: number;
  /** Rows one statement deletes at most. */
  batchSize: number;
  /** After this long (ms) a round starts no more batches; what is left waits for the next round. */
  roundBudgetMs: number;
  /** Pause between two batches (ms), so request traffic gets the table and the disk in between. */
  pauseMs?: number;
}

export interface JanitorOptions {
  /** The service (the `service` label of the round metrics, the logger's name). */
  service: string;
  /** Key of the session-level advisory lock held for a whole round: one per service, so services sharing a database do not wait for each other. */
  lockKey: number;
  tasks: readonly ExpiringRows[];
  connect: JanitorConnector;
  settings: JanitorSettings;
}

/** What a round did. */
export interface RoundReport {
  /** False when another replica held the lock (or no connection could be made): nothing was done. */
  ran: boolean;
  /** Rows deleted, by table. */
  deleted: Record<string, number>;
  /** DELETE statements run. */
  statements: number;
  /** Rows past their horizon left after the round, by table (0 for a table emptied; counted up to 100 batches). */
  backlog: Record<string, number>;
  /** Why the round stopped early (logged once, at warn). */
  failure?: string;
}

/** The backlog of a table left behind is counted up to this many batches. */
const BACKLOG_CAP_BATCHES = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Deletes rows past their horizon, continuously and gently (issue #20):
 * every `intervalMs` one round, run by one replica at a time under a
 * PostgreSQL session-level advisory lock (`pg_try_advisory_lock`: a replica
 * that does not get it skips the round). The lock is taken on a connection
 * of the round's own, and every statement of the round runs on it: if that
 * connection is killed, PostgreSQL releases the lock with the session and
 * the round cannot go on without it, so two replicas never delete at the same
 * time. Each statement deletes at most `batchSize` rows in its own
 * transaction (a killed statement is rolled back whole; the batches before it
 * stay done, and the next round goes on from there). The tables take turns,
 * one batch each, until every one has had a short batch or the round budget
 * is spent, with a short pause between batches. A database failure ends the
 * round with one warning; it never reaches a request or the process.
 */
export class Janitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger: Logger;
  private readonly metrics = metricsExposing('housekeepingRowsDeleted', 'housekeepingBacklog', 'housekeepingRound', 'housekeepingLockSkipped');
  private timer?: NodeJS.Timeout;
  private running?: Promise<RoundReport>;
  private stopping = false;

  constructor(private readonly options: JanitorOptions) {
    this.logger = new Logger(`Janitor(${options.service})`);
  }

  /** The rows it keeps clean. */
  get tasks(): readonly ExpiringRows[] {
    return this.options.tasks;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.round(), this.options.settings.intervalMs);
    this.timer.unref();
  }

  /** Stops the rounds; one under way ends after its current statement. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One round now (a round already under way in this process is shared, not doubled). */
  round(): Promise<RoundReport> {
    this.running ??= this.runRound().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runRound(): Promise<RoundReport> {
    const started = Date.now();
    const report: RoundReport = { ran: false, deleted: {}, statements: 0, backlog: {} };
    let connection: JanitorConnection | undefined;
    const at = { table: 'connect' };
    try {
      connection = await this.options.connect();
      at.table = 'lock';
      const [row] = (await connection.query('SELECT pg_try_advisory_lock($1) AS locked', [this.options.lockKey])).rows;
      if (row?.locked !== true) {
        this.metrics.housekeepingLockSkipped.inc({ service: this.options.service });
        return report;
      }
      report.ran = true;
      await this.sweep(connection, report, started + this.options.settings.roundBudgetMs, at);
      this.logger.debug(`housekeeping round: ${JSON.stringify(report.deleted)} deleted in ${report.statements} statements, backlog ${JSON.stringify(report.backlog)}`);
    } catch (err: unknown) {
      report.failure = `${at.table}: ${(err as Error).message}`;
      this.logger.warn(`housekeeping round stopped at ${report.failure}; the next round carries on`);
    } finally {
      if (connection) await this.close(connection, report.ran);
      if (report.ran) this.metrics.housekeepingRound.observe({ service: this.options.service }, (Date.now() - started) / 1000);
    }
    return report;
  }

  /** The tables take turns, one batch each, until each had a short batch or the budget is spent. */
  private async sweep(connection: JanitorConnection, report: RoundReport, deadline: number, at: { table: string }): Promise<void> {
    const { batchSize, pauseMs = 20 } = this.options.settings;
    let pending = [...this.options.tasks];
    for (const rows of pending) report.deleted[labelOf(rows)] = 0;
    const goOn = () => !this.stopping && Date.now() < deadline;
    while (pending.length > 0 && goOn()) {
      const unfinished: ExpiringRows[] = [];
      for (const [index, rows] of pending.entries()) {
        if (!goOn()) {
          unfinished.push(...pending.slice(index));
          break;
        }
        const table = (at.table = labelOf(rows));
        const { sql, parameters } = purgeStatement(rows, batchSize);
        const deleted = (await connection.query(sql, parameters)).rowCount ?? 0;
        report.statements++;
        report.deleted[table] = (report.deleted[table] ?? 0) + deleted;
        if (deleted > 0) this.metrics.housekeepingRowsDeleted.inc({ table }, deleted);
        if (deleted < batchSize) this.backlogIs(report, rows, 0);
        else unfinished.push(rows);
        if (pauseMs > 0) await sleep(pauseMs);
      }
      pending = unfinished;
    }
    if (this.stopping) return;
    for (const rows of pending) {
      at.table = labelOf(rows);
      const { sql, parameters } = backlogStatement(rows, BACKLOG_CAP_BATCHES * batchSize);
      const [row] = (await connection.query(sql, parameters)).rows;
      this.backlogIs(report, rows, Number(row?.backlog ?? 0));
    }
  }

  private backlogIs(report: RoundReport, rows: ExpiringRows, backlog: number): void {
    report.backlog[labelOf(rows)] = backlog;
    this.metrics.housekeepingBacklog.set({ table: labelOf(rows) }, backlog);
  }

  /**
   * Ending the session releases its advisory lock whatever happened; the
   * unlock before it matters only where sessions outlive connections (the
   * embedded database runs every connection in one session).
   */
  private async close(connection: JanitorConnection, locked: boolean): Promise<void> {
    if (locked) await connection.query('SELECT pg_advisory_unlock($1)', [this.options.lockKey]).catch(() => undefined);
    await connection.end().catch(() => undefined);
  }
}
