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

  readonly httpRequests = this.counter('http_requests_total', 'HTTP requests answered by the gateway, by route template, method and status code.', ['route', 'method', 'status']);

  readonly httpRequestDuration = this.histogram('http_request_duration_seconds', 'Time from receiving an HTTP request to sending its answer, in seconds.', ['route', 'method', 'status']);

  readonly tokenRequests = this.counter('oauth_token_requests_total', 'Token requests handled by the token service, by grant type and result (`success` or the OAuth error code).', ['grant_type', 'result']);

  readonly tokenIssueDuration = this.histogram('oauth_token_issue_duration_seconds', 'Time the token service spent on a token request, in seconds.', ['grant_type']);

  readonly tokensIssued = this.counter('oauth_tokens_issued_total', 'Access tokens issued, by grant type.', ['grant_type']);

  readonly tokensRevoked = this.counter('oauth_tokens_revoked_total', 'Tokens revoked at /revoke (RFC 7009), access and refresh tokens alike.');

  readonly introspections = this.counter('oauth_introspections_total', 'Introspection answers (RFC 7662), by whether the token was active.', ['active']);

  readonly natsRequestDuration = this.histogram('nats_request_duration_seconds', 'Round trip of a request to another service over NATS, seen by the caller, by subject (without the installation prefix) and outcome.', ['subject', 'outcome']);

  readonly transactionRetries = this.counter('database_transaction_retries_total', 'Database transactions run again after a failure that left nothing committed, by reason (`conflict`: serialization failure or deadlock; `connection`: the connection died before COMMIT).', ['reason']);

  readonly admissionRejected = this.counter('gateway_admission_rejected_total', 'Requests the gateway refused with 503 because their bulkhead (class of endpoint) and its queue were full (ADMISSION_LIMITS).', ['class']);

  readonly admissionInFlight = this.gauge('gateway_admission_in_flight', 'Requests in flight in the gateway, by bulkhead (class of endpoint).', ['class']);

  readonly auditEventsStored = this.counter('audit_events_stored_total', 'Events appended to the audit trail (duplicates delivered again are not counted).');

  readonly eventsDeadLettered = this.counter('events_dead_lettered_total', 'Events a durable consumer set aside as dead letters (issue #14), by consumer and kind (`not_json`, `invalid_envelope`, `max_deliver`).', ['consumer', 'kind']);

  readonly clientsFileReconciles = this.counter('clients_file_reconciles_total', 'Reconciles of the registration service with CLIENTS_FILE, by trigger (`start`, `SIGHUP`, `interval`) and result (`applied`, `invalid` file kept out, `failed` on the database).', ['trigger', 'result']);

  readonly clientsFileChanges = this.counter('clients_file_changes_total', 'Clients the CLIENTS_FILE reconcile created, updated or deleted.', ['change']);

  private readonly outboxSources = new Map<string, GaugeSource>();
  private readonly keySources = new Set<GaugeSource>();
  private readonly admissionSources = new Set<GaugeSource>();

  readonly admissionOpen: Gauge<'class'> = this.gauge('gateway_admission_open', 'Places a bulkhead has open now: its concurrency, or less while a latency-following limit (latencyTolerance) holds it back.', ['class'], () => this.collectInto(this.admissionOpen, [...this.admissionSources]));

  readonly outboxBacklog: Gauge<'service'> = this.gauge('outbox_backlog_events', 'Events written to a service outbox and not yet published to JetStream.', ['service'], () => this.collectInto(this.outboxBacklog, [...this.outboxSources.values()]));

  readonly signingKeyAge: Gauge<'kid' | 'state' | 'alg'> = this.gauge('signing_key_age_seconds', 'Age of each signing key the jwks service holds, by key id and state (next, active, retired).', ['kid', 'state', 'alg'], () => this.collectInto(this.signingKeyAge, [...this.keySources]));

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  private counter<L extends string = string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** Latencies, in seconds (LATENCY_BUCKETS). */
  private histogram<L extends string>(name: string, help: string, labelNames: readonly L[]): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  }

  /** With `collect`, a gauge that is filled in when scraped. */
  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect?: () => Promise<void>): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry], ...(collect ? { collect } : {}) });
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
