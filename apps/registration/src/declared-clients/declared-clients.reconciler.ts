import { Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { EventEnvelope } from '#contracts';
import { ConfigurationError, metricsExposing } from '#nest';
import { ClientEventPublisher, type ClientEventType } from '../clients/client-events.publisher.js';
import { RegistrationConfig } from '../config/registration.config.js';
import { ClientStore } from '../persistence/client.store.js';
import type { ClientsFile } from './clients-file.js';
import { isTakeover, planDeclaredClients, type DeclaredClientChange, type DeclaredClientsPlan } from './declared-clients.plan.js';
import { DeclaredClientsSource } from './declared-clients.source.js';

/** Attempts at one reconcile that loses a race with a /register insert of a declared id. */
const ATTEMPTS = 3;

const EVENT: Record<DeclaredClientChange['kind'], ClientEventType> = {
  created: 'client.registered',
  updated: 'client.updated',
  deleted: 'client.deleted',
};

/**
 * Clients as code: makes the stored clients match CLIENTS_FILE at start
 * (a failure stops the service), on SIGHUP and, with
 * CLIENTS_RELOAD_INTERVAL_SECONDS, whenever the file or a secret it refers to
 * changed. One transaction per reconcile, under the managed-client advisory
 * lock, so replicas starting together apply a file once; every change emits
 * its `client.*` event through the outbox. A file that does not validate on
 * reload is logged and changes nothing.
 */
@Injectable()
export class DeclaredClientsReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DeclaredClients');
  private readonly metrics = metricsExposing('clientsFileReconciles', 'clientsFileChanges');
  private timer: NodeJS.Timeout | undefined;
  /** Reloads run one after the other. */
  private queue: Promise<void> = Promise.resolve();
  private busy = false;
  private appliedDigest: string | undefined;
  private readonly onHangup = () => void this.reload('SIGHUP');

  constructor(
    private readonly store: ClientStore,
    private readonly config: RegistrationConfig,
    private readonly events: ClientEventPublisher,
    @Optional() private readonly source?: DeclaredClientsSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.source) return;
    // Listening first: a SIGHUP during start-up waits for the first reconcile instead of ending the process.
    process.on('SIGHUP', this.onHangup);
    const start = this.apply(this.source.initial);
    this.queue = start.then(
      () => undefined,
      () => undefined,
    );
    try {
      await start;
    } catch (err: unknown) {
      this.metrics.clientsFileReconciles.inc({ trigger: 'start', result: 'failed' });
      process.off('SIGHUP', this.onHangup);
      throw err;
    }
    this.metrics.clientsFileReconciles.inc({ trigger: 'start', result: 'applied' });
    const seconds = this.config.CLIENTS_RELOAD_INTERVAL_SECONDS;
    if (seconds !== undefined) {
      this.timer = setInterval(() => {
        if (!this.busy) void this.reload('interval');
      }, seconds * 1000);
      this.timer.unref();
    }
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.onHangup);
    if (this.timer) clearInterval(this.timer);
  }

  /** Reads the file again and reconciles; never throws (what failed is logged, the stored clients stay as they were). */
  reload(trigger: 'SIGHUP' | 'interval'): Promise<void> {
    this.queue = this.queue.then(async () => {
      this.busy = true;
      try {
        await this.reloadOnce(trigger);
      } finally {
        this.busy = false;
      }
    });
    return this.queue;
  }

  private async reloadOnce(trigger: 'SIGHUP' | 'interval'): Promise<void> {
    const source = this.source;
    if (!source) return;
    let file: ClientsFile;
    try {
      file = source.read();
    } catch (err: unknown) {
      const message = err instanceof ConfigurationError ? err.message : String(err);
      this.logger.error(`CLIENTS_FILE not reloaded (${trigger}), the clients stay as they are: ${message}`);
      this.metrics.clientsFileReconciles.inc({ trigger, result: 'invalid' });
      return;
    }
    // An unchanged file is not applied again on a timer: a replica whose mounted file is not updated yet must not undo a newer one.
    if (trigger === 'interval' && file.digest === this.appliedDigest) return;
    try {
      await this.apply(file);
      this.metrics.clientsFileReconciles.inc({ trigger, result: 'applied' });
    } catch (err: unknown) {
      this.logger.error(`CLIENTS_FILE reload (${trigger}) failed, the clients stay as they are: ${(err as Error).message}`);
      this.metrics.clientsFileReconciles.inc({ trigger, result: 'failed' });
    }
  }

  /** One reconcile in one transaction; the events go out after the commit (the outbox relays what the broker did not take). */
  private async apply(file: ClientsFile): Promise<DeclaredClientsPlan> {
    const prune = this.config.CLIENTS_PRUNE === 'true';
    for (let attempt = 1; ; attempt++) {
      const envelopes: EventEnvelope[] = [];
      let plan: DeclaredClientsPlan | null;
      try {
        plan = await this.store.transaction(async (manager) => {
          const stored = await this.store.lockDeclared(manager, file.clients.map((c) => c.clientId));
          const wanted = planDeclaredClients(file.clients, stored, { prune, now: new Date() });
          for (const change of wanted.changes) {
            const written =
              change.kind === 'created'
                ? await this.store.insert(change.client, manager)
                : change.kind === 'updated'
                  ? await this.store.replace(change.client, change.previous.revision, manager)
                  : await this.store.deleteDeclared(change.client.clientId, manager);
            // Only a client registered through /register meanwhile (it takes no lock) gets here: start again.
            if (!written) throw new LostRace(change.client.clientId);
            envelopes.push(await this.events.add(manager, EVENT[change.kind], change.client));
          }
          return wanted;
        });
      } catch (err: unknown) {
        if (!(err instanceof LostRace) || attempt >= ATTEMPTS) throw err;
        plan = null;
      }
      if (!plan) continue;
      for (const envelope of envelopes) await this.events.committed(envelope);
      this.appliedDigest = file.digest;
      this.report(file, plan);
      return plan;
    }
  }

  private report(file: ClientsFile, plan: DeclaredClientsPlan): void {
    for (const change of plan.changes) {
      this.metrics.clientsFileChanges.inc({ change: change.kind });
      if (isTakeover(change)) {
        this.logger.warn(`client ${change.client.clientId} was registered through /register and is now declared by ${file.path}; its registration access token no longer works`);
      }
      this.logger.log(`declared client ${change.client.clientId} ${change.kind}${change.kind === 'deleted' ? '' : ` (revision ${change.client.revision})`}`);
    }
    if (plan.kept.length > 0) this.logger.warn(`no longer in ${file.path}, kept because CLIENTS_PRUNE is not true: ${plan.kept.join(', ')}`);
    const count = (kind: DeclaredClientChange['kind']) => plan.changes.filter((c) => c.kind === kind).length;
    this.logger.log(`clients file ${file.path} reconciled: ${count('created')} created, ${count('updated')} updated, ${count('deleted')} deleted, ${plan.unchanged.length} unchanged`);
  }
}

class LostRace extends Error {
  constructor(clientId: string) {
    super(`client ${clientId} changed while the clients file was reconciled`);
  }
}
