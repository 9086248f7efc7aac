import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';

/** Buckets for request latencies (seconds): sub-millisecond token answers up to slow logins. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Longest a scrape waits for one gauge source (a database count) before leaving it out. */
const SOURCE_TIMEOUT_MS = 1000;

function within<T>(ms: number, work: Promise<T> | T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.resolve(work),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Something whose entries can be counted (a cache, a set). */
export interface Sized {
  readonly size: number;
}

/** A gauge read when scraped: `collect` returns the labelled values (async allowed). */
export type GaugeSource = () => Promise<Array<{ labels: Record<string, string>; value: number }>> | Array<{ labels: Record<string, string>; value: number }>;

/**
 * The process's Prometheus metrics (one registry per process, so the embedded
 * mode exposes every service's metrics on its one management port). Labels
 * are bounded: route templates, grant types, RPC subjects, OAuth error codes,
 * key ids of the few keys alive; never client ids, token ids or paths as sent.
 */
export class SuiteMetrics {
  readonly registry = new Registry();

  get httpRequests() { return this.counter('http_requests_total', 'HTTP requests answered by the gateway, by route template, method and status code.', ['route', 'method', 'status']); }

  get httpRequestDuration() { return this.histogram('http_request_duration_seconds', 'Time from receiving an HTTP request to sending its answer, in seconds.', ['route', 'method', 'status']); }

  get tokenRequests() { return this.counter('oauth_token_requests_total', 'Token requests handled by the token service, by grant type and result (`success` or the OAuth error code).', ['grant_type', 'result']); }

  get tokenIssueDuration() { return this.histogram('oauth_token_issue_duration_seconds', 'Time the token service spent on a token request, in seconds.', ['grant_type']); }

  get tokensIssued() { return this.counter('oauth_tokens_issued_total', 'Access tokens issued, by grant type.', ['grant_type']); }

  get tokensRevoked() { return this.counter('oauth_tokens_revoked_total', 'Tokens revoked at /revoke (RFC 7009), access and refresh tokens alike.'); }

  get introspections() { return this.counter('oauth_introspections_total', 'Introspection answers (RFC 7662), by whether the token was active.', ['active']); }

  get natsRequestDuration() { return this.histogram('nats_request_duration_seconds', 'Round trip of a request to another service over NATS, seen by the caller, by subject (without the installation prefix) and outcome.', ['subject', 'outcome']); }

  get transactionRetries() { return this.counter('database_transaction_retries_total', 'Database transactions run again after a failure that left nothing committed, by reason (`conflict`: serialization failure or deadlock; `connection`: the connection died before COMMIT).', ['reason']); }

  get admissionRejected() { return this.counter('gateway_admission_rejected_total', 'Requests the gateway refused with 503 because their bulkhead (class of endpoint) and its queue were full (ADMISSION_LIMITS).', ['class']); }

  get admissionInFlight() { return this.gauge('gateway_admission_in_flight', 'Requests in flight in the gateway, by bulkhead (class of endpoint).', ['class']); }

  get auditEventsStored() { return this.counter('audit_events_stored_total', 'Events appended to the audit trail (duplicates delivered again are not counted).'); }

  get eventsDeadLettered() { return this.counter('events_dead_lettered_total', 'Events a durable consumer set aside as dead letters (issue #14), by consumer and kind (`not_json`, `invalid_envelope`, `max_deliver`).', ['consumer', 'kind']); }

  get clientsFileReconciles() { return this.counter('clients_file_reconciles_total', 'Reconciles of the registration service with CLIENTS_FILE, by trigger (`start`, `SIGHUP`, `interval`) and result (`applied`, `invalid` file kept out, `failed` on the database).', ['trigger', 'result']); }

  get clientsFileChanges() { return this.counter('clients_file_changes_total', 'Clients the CLIENTS_FILE reconcile created, updated or deleted.', ['change']); }

  get housekeepingRowsDeleted() { return this.counter('housekeeping_rows_deleted_total', 'Rows the janitor deleted because they were past their horizon, by table.', ['table']); }

  get housekeepingBacklog() { return this.gauge('housekeeping_backlog', 'Rows past their horizon still in the table after the latest round this replica ran (0 when the round emptied it; counted up to 100 batches otherwise), by table.', ['table']); }

  get housekeepingRound() { return this.histogram('housekeeping_round_seconds', 'Time a janitor round took (the advisory lock held), in seconds, by service.', ['service']); }

  get housekeepingLockSkipped() { return this.counter('housekeeping_lock_skipped_total', 'Janitor rounds skipped because another replica held the housekeeping advisory lock, by service.', ['service']); }

  get cacheEvictions() { return this.counter('cache_evictions_total', 'Entries a bounded in-memory cache dropped to stay within its size limit (not those that expired), by cache.', ['cache']); }

  private readonly cacheSources = new Map<string, Set<WeakRef<Sized>>>();

  get cacheEntries(): Gauge<'cache'> { return this.gauge('cache_entries', 'Entries held by an in-memory cache or set, by cache (summed over its instances in the process).', ['cache'], () => this.collectInto(this.cacheEntries, [() => this.cacheSizes()])); }

  private readonly outboxSources = new Map<string, GaugeSource>();
  private readonly keySources = new Set<GaugeSource>();
  private readonly admissionSources = new Set<GaugeSource>();
  private readonly consumerSources = new Map<string, GaugeSource>();

  get admissionOpen(): Gauge<'class'> { return this.gauge('gateway_admission_open', 'Places a bulkhead has open now: its concurrency, or less while a latency-following limit (latencyTolerance) holds it back.', ['class'], () => this.collectInto(this.admissionOpen, [...this.admissionSources])); }

  get consumerLag(): Gauge<'consumer'> { return this.gauge('events_consumer_pending', 'Events of the stream a durable consumer has not acknowledged yet (JetStream num_pending + num_ack_pending): how far it lags.', ['consumer'], () => this.collectInto(this.consumerLag, [...this.consumerSources.values()])); }

  get outboxBacklog(): Gauge<'service'> { return this.gauge('outbox_backlog_events', 'Events written to a service outbox and not yet published to JetStream.', ['service'], () => this.collectInto(this.outboxBacklog, [...this.outboxSources.values()])); }

  get signingKeyAge(): Gauge<'kid' | 'state' | 'alg'> { return this.gauge('signing_key_age_seconds', 'Age of each signing key the jwks service holds, by key id and state (next, active, retired).', ['kid', 'state', 'alg'], () => this.collectInto(this.signingKeyAge, [...this.keySources])); }

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  private readonly families = new Map<string, Metric>();

  /**
   * A metric family is made and registered the first time it is asked for,
   * so a process exports only the families it records (issue #19: a gateway
   * showed `audit_events_stored_total 0`); {@link expose} asks at start for
   * those that must show before their first value.
   */
  private once<M extends Metric>(name: string, make: () => M): M {
    let family = this.families.get(name) as M | undefined;
    if (!family) {
      family = make();
      this.registry.registerMetric(family);
      this.families.set(name, family);
    }
    return family;
  }

  /** Registers these families now (a counter then shows 0 before its first event). */
  expose(...families: ExposableMetric[]): void {
    for (const family of families) void this[family];
  }

  private counter<L extends string = string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.once(name, () => new Counter({ name, help, labelNames, registers: [] }));
  }

  /** Latencies, in seconds (LATENCY_BUCKETS). */
  private histogram<L extends string>(name: string, help: string, labelNames: readonly L[]): Histogram<L> {
    return this.once(name, () => new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [] }));
  }

  /** With `collect`, a gauge that is filled in when scraped. */
  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect?: () => Promise<void>): Gauge<L> {
    return this.once(name, () => new Gauge({ name, help, labelNames, registers: [], ...(collect ? { collect } : {}) }));
  }

  /** Reports a service's outbox backlog at each scrape. */
  watchOutbox(service: string, pending: () => Promise<number>): () => void {
    this.expose('outboxBacklog');
    this.outboxSources.set(service, async () => [{ labels: { service }, value: await pending() }]);
    return () => this.outboxSources.delete(service);
  }

  /** Reports a durable consumer's lag at each scrape. */
  watchConsumer(consumer: string, pending: () => Promise<number>): () => void {
    this.expose('consumerLag', 'eventsDeadLettered');
    this.consumerSources.set(consumer, async () => [{ labels: { consumer }, value: await pending() }]);
    return () => this.consumerSources.delete(consumer);
  }

  /** Reports the gateway's open admission places at each scrape. */
  watchAdmission(source: GaugeSource): () => void {
    this.expose('admissionOpen');
    this.admissionSources.add(source);
    return () => this.admissionSources.delete(source);
  }

  /**
   * Reports the size of `cache` under `name` at each scrape (and exposes its
   * evictions counter). Held weakly: a cache nobody uses any more is
   * forgotten here too, so instances need no unregistering.
   */
  watchCache(name: string, cache: Sized): void {
    this.expose('cacheEntries', 'cacheEvictions');
    let instances = this.cacheSources.get(name);
    if (!instances) this.cacheSources.set(name, (instances = new Set()));
    instances.add(new WeakRef(cache));
  }

  private cacheSizes(): Array<{ labels: Record<string, string>; value: number }> {
    return [...this.cacheSources].map(([cache, instances]) => {
      let value = 0;
      for (const ref of instances) {
        const instance = ref.deref();
        if (instance) value += instance.size;
        else instances.delete(ref);
      }
      return { labels: { cache }, value };
    });
  }

  /** Reports signing keys at each scrape. */
  watchKeys(source: GaugeSource): () => void {
    this.expose('signingKeyAge');
    this.keySources.add(source);
    return () => this.keySources.delete(source);
  }

  private async collectInto<L extends string>(gauge: Gauge<L>, sources: GaugeSource[]): Promise<void> {
    gauge.reset();
    for (const source of sources) {
      try {
        for (const { labels, value } of await within(SOURCE_TIMEOUT_MS, source())) gauge.set(labels as Partial<Record<L, string>>, value);
      } catch {
        // A source that cannot answer now (database down) reports nothing rather than a stale value.
      }
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** The families, by the name of their accessor. */
export type ExposableMetric = {
  [K in keyof SuiteMetrics]: SuiteMetrics[K] extends Counter<string> | Gauge<string> | Histogram<string> ? K : never;
}[keyof SuiteMetrics];

let instance: SuiteMetrics | undefined;

/** The process's metrics. */
export function suiteMetrics(): SuiteMetrics {
  instance ??= new SuiteMetrics();
  return instance;
}

/** The process's metrics, with the families a component records registered now (they show before their first value). */
export function metricsExposing(...families: ExposableMetric[]): SuiteMetrics {
  const metrics = suiteMetrics();
  metrics.expose(...families);
  return metrics;
}
