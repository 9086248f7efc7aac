import { Logger } from '@nestjs/common';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

const TRACER = 'smart-auth-suite';

/** What stops the tracer provider (flushes what is buffered). */
type Shutdown = () => Promise<void>;

let enabled = false;
let shutdown: Shutdown | undefined;

/**
 * Whether the standard OpenTelemetry variables ask for traces. Off by
 * default: on with `OTEL_TRACES_EXPORTER=otlp` (or `console`), or with an
 * OTLP endpoint set (`OTEL_EXPORTER_OTLP_ENDPOINT` /
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and no `OTEL_TRACES_EXPORTER=none`;
 * `OTEL_SDK_DISABLED=true` wins over everything.
 */
export function tracingRequested(env: NodeJS.ProcessEnv): 'otlp' | 'console' | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (exporters.includes('none')) return undefined;
  if (exporters.includes('otlp')) return 'otlp';
  if (exporters.includes('console')) return 'console';
  if (exporters.length === 0 && (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) return 'otlp';
  return undefined;
}

/**
 * Distributed tracing with W3C trace context carried in HTTP and NATS
 * headers. Nothing is loaded, and every helper is a plain call-through, until
 * `Tracing.start` found the OpenTelemetry variables set.
 */
export const Tracing = {
  get enabled(): boolean {
    return enabled;
  },

  /**
   * Starts the SDK once per process (a batch span processor and the OTLP/HTTP
   * exporter, configured by the standard `OTEL_*` variables). `service.name`
   * is `OTEL_SERVICE_NAME`, else the process's service name.
   */
  async start(serviceName: string, env: NodeJS.ProcessEnv): Promise<boolean> {
    if (enabled) return true;
    const exporterKind = tracingRequested(env);
    if (!exporterKind) return false;
    const [{ NodeTracerProvider }, { BatchSpanProcessor, ConsoleSpanExporter }, { OTLPTraceExporter }, resources, { W3CTraceContextPropagator }] = await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/core'),
    ]);
    const detected = resources.detectResources({ detectors: [resources.envDetector] });
    const resource = resources.resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME?.trim() || serviceName }).merge(detected);
    const exporter = exporterKind === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter();
    const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
    provider.register({ propagator: new W3CTraceContextPropagator() });
    shutdown = () => provider.shutdown();
    enabled = true;
    const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
    if (exporterKind === 'otlp' && protocol && protocol !== 'http/json') {
      // Only the OTLP/HTTP JSON exporter ships with the suite: say so rather than send what the collector did not ask for.
      new Logger('Tracing').warn(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported; spans are sent as http/json`);
    }
    return true;
  },

  /** Flushes and stops the SDK (at process exit). */
  async stop(): Promise<void> {
    const stop = shutdown;
    shutdown = undefined;
    enabled = false;
    await stop?.().catch(() => undefined);
  },

  /** Adds `traceparent` (and `tracestate`) of the active span to `carrier`. */
  inject(carrier: Record<string, string>): void {
    if (enabled) propagation.inject(context.active(), carrier);
  },

  /** The trace id of the active span, for log lines. */
  activeTraceId(): string | undefined {
    if (!enabled) return undefined;
    const span = trace.getSpan(context.active());
    return span?.spanContext().traceId;
  },

  /** A span for work started by a remote caller (`headers` carries its trace context), made active for `work`. */
  async inbound<T>(name: string, kind: SpanKind, headers: (key: string) => string | undefined, attributes: Attributes, work: () => Promise<T>): Promise<T> {
    if (!enabled) return work();
    const parent = propagation.extract(ROOT_CONTEXT, headers, { keys: () => [], get: (get, key) => get(key) });
    return Tracing.within(parent, name, kind, attributes, work);
  },

  /** A child span of the active one around `work` (a request this process makes). */
  async outbound<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
    if (!enabled) return work();
    return Tracing.within(context.active(), name, SpanKind.CLIENT, attributes, work);
  },

  async within<T>(parent: Context, name: string, kind: SpanKind, attributes: Attributes, work: () => Promise<T>): Promise<T> {
    const span = trace.getTracer(TRACER).startSpan(name, { kind, attributes }, parent);
    try {
      return await context.with(trace.setSpan(parent, span), work);
    } catch (err: unknown) {
      Tracing.fail(span, err);
      throw err;
    } finally {
      span.end();
    }
  },

  /** Starts a span that the caller ends (an HTTP request spans several hooks). */
  startSpan(name: string, kind: SpanKind, headers: (key: string) => string | undefined, attributes: Attributes): { span: Span; context: Context } | undefined {
    if (!enabled) return undefined;
    const parent = propagation.extract(ROOT_CONTEXT, headers, { keys: () => [], get: (get, key) => get(key) });
    const span = trace.getTracer(TRACER).startSpan(name, { kind, attributes }, parent);
    return { span, context: trace.setSpan(parent, span) };
  },

  /** Runs `work` with `ctx` active. */
  with<T>(ctx: Context, work: () => T): T {
    return context.with(ctx, work);
  },

  fail(span: Span, err: unknown): void {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
  },
};

export { SpanKind };
