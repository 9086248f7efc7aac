import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { FlagSetting, HttpUrlSetting, IntegerSetting, OptionalTextSetting } from './settings.js';
import { UdapExtensionList } from './udap-extension-list.js';

/** Settings every service reads. Names are the environment variables. */
export class CommonConfig {
  /** NATS server URL(s), comma separated. Absent only in embedded mode. */
  @IsOptional()
  @Matches(/^(nats|tls|ws|wss):\/\/[^\s,]+(,(nats|tls|ws|wss):\/\/[^\s,]+)*$/, { message: 'must be nats://host:port (comma separated for several)' })
  NATS_URL?: string;

  /** PostgreSQL connection URL. Absent only in embedded mode. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** The OAuth/OIDC issuer identifier: https, no query, no fragment (RFC 8414 §2). */
  @HttpUrlSetting()
  @Matches(/^[^?#]*[^/?#]$/, { message: 'must not end with a slash, nor carry a query or fragment' })
  ISSUER = 'http://localhost:8080';

  /** The FHIR base URL of the protected resource server: the `aud` of access tokens. */
  @HttpUrlSetting()
  FHIR_BASE_URL = 'http://localhost:8080/fhir';

  /** Namespace of every NATS subject and of the JetStream stream. */
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'must be letters, digits, - or _' })
  SUBJECT_PREFIX = 'smart';

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL = 'log';

  /** `json`: one JSON object per line on stdout (the default); `pretty`: for a person at a terminal. */
  @IsIn(['json', 'pretty'])
  LOG_FORMAT = 'json';

  /** Port of the management listener (`/health/live`, `/health/ready`, `/metrics`); never routed publicly. 0 picks a free one. */
  @IntegerSetting(0, 65535)
  MANAGEMENT_PORT = 9464;

  /** Address the management listener binds to. */
  @IsString()
  MANAGEMENT_HOST = '0.0.0.0';

  /** How long a service waits for another's answer over NATS, in milliseconds. */
  @IntegerSetting(100, 60000)
  RPC_TIMEOUT_MS = 5000;

  /**
   * Let the token and introspection services fetch client `jwks_uri`s from
   * private, loopback and link-local addresses (SSRF protection off). Only
   * for closed networks and tests.
   */
  @FlagSetting()
  JWKS_URI_ALLOW_PRIVATE = 'false';

  /**
   * Comma-separated host names (as written in a `jwks_uri`, e.g.
   * `127.0.0.1,keys.internal`) exempt from the private-address refusal.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9.:[\]_-]+(,[A-Za-z0-9.:[\]_-]+)*$/, { message: 'must be host names separated by commas' })
  JWKS_URI_ALLOWED_HOSTS?: string;

  /**
   * For tests only: comma-separated host names (as written in a CRL
   * distribution point, e.g. `127.0.0.1`) whose CRLs may be fetched although
   * they are private or loopback addresses. Empty (the default): none. Read
   * by every service that checks UDAP certificates (registration, and the
   * services that authenticate clients).
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9.:[\]_-]+(,[A-Za-z0-9.:[\]_-]+)*$/, { message: 'must be host names separated by commas' })
  UDAP_CRL_ALLOWED_HOSTS?: string;

  /**
   * UDAP: the Authorization Extension Objects read in a UDAP Authentication
   * Token's `extensions` (comma separated: `hl7-b2b`, `tefca-ias`,
   * `tefca_smart`), advertised as `udap_authorization_extensions_supported`
   * (registration) and validated at /token (token).
   */
  @UdapExtensionList()
  UDAP_AUTHORIZATION_EXTENSIONS_SUPPORTED = 'hl7-b2b';

  /**
   * UDAP: the extension objects every client_credentials token request must
   * carry (`udap_authorization_extensions_required`; `invalid_grant`
   * otherwise); a subset of UDAP_AUTHORIZATION_EXTENSIONS_SUPPORTED. Empty: none.
   */
  @IsOptional()
  @UdapExtensionList('UDAP_AUTHORIZATION_EXTENSIONS_SUPPORTED')
  UDAP_AUTHORIZATION_EXTENSIONS_REQUIRED?: string;
}

export class DatabaseConfig extends CommonConfig {
  /** Connections in this service's PostgreSQL pool. */
  @IntegerSetting(1, 200)
  DATABASE_POOL_SIZE = 10;

  /** How long a query waits for a PostgreSQL connection before the request answers 503 (ms); keep it below RPC_TIMEOUT_MS. */
  @IntegerSetting(100, 60000)
  DATABASE_CONNECT_TIMEOUT_MS = 2000;

  /** PostgreSQL `statement_timeout` of this service's connections (ms, 0 = none). */
  @IntegerSetting(0, 3_600_000)
  DATABASE_STATEMENT_TIMEOUT_MS = 30000;

  /** Run this service's migrations at start (true by default; a Helm job may run them instead). */
  @FlagSetting()
  MIGRATIONS_RUN = 'true';
}

/** How a process stops (read by every service's entry point). */
export class ShutdownConfig {
  /**
   * Longest graceful stop after SIGTERM, in milliseconds: stop taking work,
   * finish what is in flight, drain NATS, close the database pool. Past it
   * the process exits with code 1. Keep it below Kubernetes'
   * `terminationGracePeriodSeconds` (minus the gateway's SHUTDOWN_DELAY_MS).
   */
  @IntegerSetting(1000, 600_000)
  SHUTDOWN_TIMEOUT_MS = 20_000;
}

export class SecretsConfig {
  @OptionalTextSetting()
  KEY_ENCRYPTION_KEY?: string;
}
