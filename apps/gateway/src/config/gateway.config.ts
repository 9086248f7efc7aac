import { IsIn, IsString } from 'class-validator';
import { CommonConfig, FlagSetting, IntegerSetting, OptionalTextSetting } from '#nest';

/** A request-rate limit of this replica: requests per RATE_LIMIT_WINDOW_SECONDS, 0 = no limit (the default). */
const RateLimitSetting = () => IntegerSetting(0, 100_000_000);

export class GatewayConfig extends CommonConfig {
  @IntegerSetting(1, 65535)
  PORT = 8080;

  @IsString()
  HOST = '0.0.0.0';

  @IntegerSetting(1024, 10 * 1024 * 1024)
  BODY_LIMIT_BYTES = 65536;

  @IntegerSetting(0, 3_600_000)
  DISCOVERY_CACHE_MS = 5000;

  /** `Retry-After` (seconds) of every 503 the suite answers that does not name its own (RFC 9110 §10.2.3). */
  @IntegerSetting(1, 3600)
  RETRY_AFTER_SECONDS = 1;

  /**
   * After SIGTERM, how long the gateway keeps serving while `/health/ready`
   * already answers 503, so that load balancers stop sending it traffic
   * before it closes its listener (ms).
   */
  @IntegerSetting(0, 120_000)
  SHUTDOWN_DELAY_MS = 0;

  /**
   * Admission control (docs/operations.md "Admission control"): JSON overrides
   * of the per-class bulkheads of this replica, e.g.
   * `{"registration": {"concurrency": 16, "queue": 128}}`; 0 = no bulkhead.
   */
  @OptionalTextSetting()
  ADMISSION_LIMITS?: string;

  /** How long a request may wait for a place in its bulkhead before a 503 (ms), while the queue is a passing burst. */
  @IntegerSetting(0, 10_000)
  ADMISSION_QUEUE_TIMEOUT_MS = 100;

  /** The same while the queue is standing (overload: not empty for over 100 ms): keeps the admitted requests fast (ms). */
  @IntegerSetting(0, 10_000)
  ADMISSION_OVERLOAD_QUEUE_TIMEOUT_MS = 20;

  /** Trust X-Forwarded-* from a reverse proxy in front (RFC 9700 §4.13: only when that proxy sanitises them). */
  @FlagSetting()
  TRUST_PROXY = 'false';

  /**
   * Where the rate limits count (docs/operations.md "Rate limits"): `nats`, one count per key
   * shared by every gateway replica in the JetStream key-value bucket `<PREFIX>_RATE_LIMITS`
   * (falling back to this replica's own count while NATS does not answer); `memory`, each replica
   * on its own (N replicas admit up to N times a limit). The embedded mode always counts in memory.
   */
  @IsIn(['nats', 'memory'], { message: 'RATE_LIMIT_STORE must be nats or memory' })
  RATE_LIMIT_STORE: 'nats' | 'memory' = 'nats';

  /** How often a replica adds its requests to the shared counts and learns the others' (ms). */
  @IntegerSetting(10, 5000)
  RATE_LIMIT_SYNC_MS = 100;

  /**
   * Request-rate limits (docs/operations.md "Rate limits"),
   * requests per RATE_LIMIT_WINDOW_SECONDS; 0 = no limit (the default).
   */
  @IntegerSetting(1, 3600)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  /** `/token` requests per client (as named by the request, unverified). */
  @RateLimitSetting()
  RATE_LIMIT_TOKEN_PER_CLIENT = 0;

  /** `/token` requests per client address. */
  @RateLimitSetting()
  RATE_LIMIT_TOKEN_PER_ADDRESS = 0;

  /** `/register` requests per client address. */
  @RateLimitSetting()
  RATE_LIMIT_REGISTER_PER_ADDRESS = 0;

  /** Password login form posts (`/interaction/:id/login`, `/admin/login`, `/account/login`) per client address. */
  @RateLimitSetting()
  RATE_LIMIT_LOGIN_PER_ADDRESS = 0;

  /** `/introspect` requests per calling client. */
  @RateLimitSetting()
  RATE_LIMIT_INTROSPECT_PER_CLIENT = 0;

  /** Per-client limits replacing the two per-client ones: JSON `{"<client_id>": {"token": n, "introspect": n}}` (0 = unlimited). */
  @OptionalTextSetting()
  RATE_LIMIT_CLIENT_OVERRIDES?: string;
}
