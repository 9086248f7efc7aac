import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered by the gateway, by route template, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to sending its answer, in seconds.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly tokenRequests = new Counter({
    name: 'oauth_token_requests_total',
    help: 'Token requests handled by the token service, by grant type and result (`success` or the OAuth error code).',
    labelNames: ['grant_type', 'result'] as const,
    registers: [this.registry],
  });

  readonly tokenIssueDuration = new Histogram({
    name: 'oauth_token_issue_duration_seconds',
    help: 'Time the token service spent on a token request, in seconds.',
    labelNames: ['grant_type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly tokensIssued = new Counter({
    name: 'oauth_tokens_issued_total',
    help: 'Access tokens issued, by grant type.',
    labelNames: ['grant_type'] as const,
    registers: [this.registry],
  });

  readonly tokensRevoked = new Counter({
    name: 'oauth_tokens_revoked_total',
    help: 'Tokens revoked at /revoke (RFC 7009), access and refresh tokens alike.',
    registers: [this.registry],
  });

  readonly introspections = new Counter({
    name: 'oauth_introspections_total',
    help: 'Introspection answers (RFC 7662), by whether the token was active.',
    labelNames: ['active'] as const,
    registers: [this.registry],
  });

  readonly natsRequestDuration = new Histogram({
    name: 'nats_request_duration_seconds',
    help: 'Round trip of a request to another service over NATS, seen by the caller, by subject (without the installation prefix) and outcome.',
    labelNames: ['subject', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly transactionRetries = new Counter({
    name: 'database_transaction_retries_total',
    help: 'Database transactions run again after a failure that left nothing committed, by reason (`conflict`: serialization failure or deadlock; `connection`: the connection died before COMMIT).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly admissionRejected = new Counter({
    name: 'gateway_admission_rejected_total',
    help: 'Requests the gateway refused with 503 because their bulkhead (class of endpoint) and its queue were full (ADMISSION_LIMITS).',
    labelNames: ['class'] as const,
    registers: [this.registry],
  });

  readonly admissionInFlight = new Gauge({
    name: 'gateway_admission_in_flight',
    help: 'Requests in flight in the gateway, by bulkhead (class of endpoint).',
    labelNames: ['class'] as const,
    registers: [this.registry],
  });

  readonly auditEventsStored = new Counter({
    name: 'audit_events_stored_total',
    help: 'Events appended to the audit trail (duplicates delivered again are not counted).',
    registers: [this.registry],
  });

  readonly eventsDeadLettered = new Counter({
    name: 'events_dead_lettered_total',
    help: 'Events a durable consumer set aside as dead letters (issue #14), by consumer and kind (`not_json`, `invalid_envelope`, `max_deliver`).',
    labelNames: ['consumer', 'kind'] as const,
    registers: [this.registry],
  });

  readonly clientsFileReconciles = new Counter({
    name: 'clients_file_reconciles_total',
    help: 'Reconciles of the registration service with CLIENTS_FILE, by trigger (`start`, `SIGHUP`, `interval`) and result (`applied`, `invalid` file kept out, `failed` on the database).',
    labelNames: ['trigger', 'result'] as const,
    registers: [this.registry],
  });

  readonly clientsFileChanges = new Counter({
    name: 'clients_file_changes_total',
    help: 'Clients the CLIENTS_FILE reconcile created, updated or deleted.',
    labelNames: ['change'] as const,
    registers: [this.registry],
  });

  private readonly outboxSources = new Map<string, GaugeSource>();
  private readonly keySources = new Set<GaugeSource>();
  private readonly admissionSources = new Set<GaugeSource>();

  readonly admissionOpen: Gauge<'class'> = new Gauge({
    name: 'gateway_admission_open',
    help: 'Places a bulkhead has open now: its concurrency, or less while a latency-following limit (latencyTolerance) holds it back.',
    labelNames: ['class'] as const,
    registers: [this.registry],
    collect: async (): Promise<void> => this.collectInto(this.admissionOpen, [...this.admissionSources]),
  });

  readonly outboxBacklog: Gauge<'service'> = new Gauge({
    name: 'outbox_backlog_events',
    help: 'Events written to a service outbox and not yet published to JetStream.',
    labelNames: ['service'] as const,
    registers: [this.registry],
    collect: async (): Promise<void> => this.collectInto(this.outboxBacklog, [...this.outboxSources.values()]),
  });

  readonly signingKeyAge: Gauge<'kid' | 'state' | 'alg'> = new Gauge({
    name: 'signing_key_age_seconds',
    help: 'Age of each signing key the jwks service holds, by key id and state (next, active, retired).',
    labelNames: ['kid', 'state', 'alg'] as const,
    registers: [this.registry],
    collect: async (): Promise<void> => this.collectInto(this.signingKeyAge, [...this.keySources]),
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Reports a service's outbox backlog at each scrape. */
  watchOutbox(service: string, pending: () => Promise<number>): () => void {
    this.outboxSources.set(service, async () => [{ labels: { service }, value: await pending() }]);
    return () => this.outboxSources.delete(service);
  }

  /** Reports the gateway's open admission places at each scrape. */
  watchAdmission(source: GaugeSource): () => void {
    this.admissionSources.add(source);
    return () => this.admissionSources.delete(source);
  }

  /** Reports signing keys at each scrape. */
  watchKeys(source: GaugeSource): () => void {
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

let instance: SuiteMetrics | undefined;

/** The process's metrics. */
export function suiteMetrics(): SuiteMetrics {
  instance ??= new SuiteMetrics();
  return instance;
}
