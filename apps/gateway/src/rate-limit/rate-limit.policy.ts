import { isJsonObject, jsonObjectSetting, settingProblem } from '../config/json-object-setting.js';
import type { GatewayConfig } from '../config/gateway.config.js';

/** What a client's own limits may replace (requests per window; 0 = unlimited). */
export interface ClientLimits {
  token?: number;
  introspect?: number;
}

const OVERRIDABLE = new Set<keyof ClientLimits>(['token', 'introspect']);

/**
 * `RATE_LIMIT_CLIENT_OVERRIDES`: a JSON object from client id to its own
 * limits, e.g. `{"bulk-export":{"token":6000},"ehr":{"introspect":0}}`.
 * Checked at start; any mistake names the client and the field.
 */
export function parseClientOverrides(json: string | undefined): Map<string, ClientLimits> {
  const out = new Map<string, ClientLimits>();
  const fail = settingProblem('RATE_LIMIT_CLIENT_OVERRIDES');
  for (const [clientId, limits] of jsonObjectSetting('RATE_LIMIT_CLIENT_OVERRIDES', json, '{"<client_id>": {"token": <n>, "introspect": <n>}}', 'client_id')) {
    if (clientId === '' || clientId.length > 256) fail(`"${clientId.slice(0, 40)}" is not a client_id`);
    if (!isJsonObject(limits)) fail(`${clientId}: must be an object like {"token": 100}`);
    const entry: ClientLimits = {};
    for (const [name, value] of Object.entries(limits as Record<string, unknown>)) {
      if (!OVERRIDABLE.has(name as keyof ClientLimits)) fail(`${clientId}.${name}: unknown limit (token, introspect)`);
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100_000_000) fail(`${clientId}.${name}: must be a whole number of requests per window, 0 for unlimited`);
      entry[name as keyof ClientLimits] = value as number;
    }
    out.set(clientId, entry);
  }
  return out;
}

/** The limits of the gateway, from its validated configuration. */
export class RateLimitPolicy {
  readonly windowMs: number;
  readonly tokenPerAddress: number;
  readonly registerPerAddress: number;
  readonly loginPerAddress: number;
  /** Whether the replicas share their counts (RATE_LIMIT_STORE=nats) or each counts alone (memory). */
  readonly shared: boolean;
  /** How often a replica adds its hits to the shared counts (ms). */
  readonly syncMs: number;
  private readonly tokenPerClient: number;
  private readonly introspectPerClient: number;
  private readonly overrides: Map<string, ClientLimits>;

  constructor(config: Pick<GatewayConfig, 'RATE_LIMIT_WINDOW_SECONDS' | 'RATE_LIMIT_TOKEN_PER_CLIENT' | 'RATE_LIMIT_TOKEN_PER_ADDRESS' | 'RATE_LIMIT_REGISTER_PER_ADDRESS' | 'RATE_LIMIT_LOGIN_PER_ADDRESS' | 'RATE_LIMIT_INTROSPECT_PER_CLIENT' | 'RATE_LIMIT_CLIENT_OVERRIDES' | 'RATE_LIMIT_STORE' | 'RATE_LIMIT_SYNC_MS'>) {
    this.windowMs = config.RATE_LIMIT_WINDOW_SECONDS * 1000;
    this.tokenPerClient = config.RATE_LIMIT_TOKEN_PER_CLIENT;
    this.tokenPerAddress = config.RATE_LIMIT_TOKEN_PER_ADDRESS;
    this.registerPerAddress = config.RATE_LIMIT_REGISTER_PER_ADDRESS;
    this.loginPerAddress = config.RATE_LIMIT_LOGIN_PER_ADDRESS;
    this.introspectPerClient = config.RATE_LIMIT_INTROSPECT_PER_CLIENT;
    this.overrides = parseClientOverrides(config.RATE_LIMIT_CLIENT_OVERRIDES);
    this.shared = config.RATE_LIMIT_STORE === 'nats';
    this.syncMs = config.RATE_LIMIT_SYNC_MS;
  }

  tokenLimitOf(clientId: string): number {
    return this.overrides.get(clientId)?.token ?? this.tokenPerClient;
  }

  introspectLimitOf(clientId: string): number {
    return this.overrides.get(clientId)?.introspect ?? this.introspectPerClient;
  }

  /** Whether any limit is on (none: the gateway installs no hook at all). */
  get active(): boolean {
    return [this.tokenPerClient, this.tokenPerAddress, this.registerPerAddress, this.loginPerAddress, this.introspectPerClient].some((n) => n > 0) || this.overrides.size > 0;
  }
}
