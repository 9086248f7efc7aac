import { IsIn, IsOptional, Matches } from 'class-validator';
import { FlagSetting, HousekeepingConfig, IntegerSetting, OptionalSecretSetting, OptionalTextSetting } from '#nest';

export class RegistrationConfig extends HousekeepingConfig {
  /**
   * `open`: anyone may register, and what they register is tiered (trust
   * tiers, client-privileges.ts): privileges wait for an administrator unless
   * an initial access token or a trusted software statement vouches for
   * them. `initial-access-token` (RFC 7591 §3): every registration needs one.
   */
  @IsIn(['open', 'initial-access-token'])
  REGISTRATION_POLICY = 'open';

  /** An initial access token (RFC 7591 §3) that vouches for every privilege; required under the `initial-access-token` policy. */
  @OptionalSecretSetting()
  REGISTRATION_INITIAL_ACCESS_TOKEN?: string;

  /**
   * More initial access tokens, each with the privileges it vouches for: a
   * JSON array of `{"token": "…", "privileges": "system/*.rs introspect"}`
   * (or `"token_sha256": "<hex>"` instead of the token; `"privileges": "*"`
   * for all). See trust-config.ts.
   */
  @OptionalTextSetting()
  REGISTRATION_INITIAL_ACCESS_TOKENS?: string;

  /**
   * Issuers whose software statements (RFC 7591 §2.3) are trusted: a JSON
   * object `{"<iss>": {"jwks": {…}} | {"jwks_uri": "https://…"}, …}`, each
   * optionally with `"privileges"` (default `*`). See trust-config.ts.
   */
  @OptionalTextSetting()
  SOFTWARE_STATEMENT_ISSUERS?: string;

  /** Approve every privilege of every registration at once: for test sandboxes only (printed loudly at start). */
  @FlagSetting()
  REGISTRATION_AUTO_APPROVE = 'false';

  /** Bootstrap administrator client (scope `admin introspect`); set with ADMIN_CLIENT_SECRET. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._~-]{1,128}$/, { message: 'must be 1 to 128 letters, digits, ".", "_", "~" or "-"' })
  ADMIN_CLIENT_ID?: string;

  @OptionalSecretSetting()
  ADMIN_CLIENT_SECRET?: string;

  /**
   * UDAP (issue #17, docs/operations.md "UDAP"): a PEM bundle of trust
   * anchors, each a trust community whose clients may register with a UDAP
   * software statement. Needs UDAP_SERVER_CERT_FILE and UDAP_SERVER_KEY_FILE.
   */
  @OptionalTextSetting()
  UDAP_TRUST_ANCHORS_FILE?: string;

  /** UDAP: each community's URI and what its clients get without approval (YAML; optional). */
  @OptionalTextSetting()
  UDAP_COMMUNITIES_FILE?: string;

  /** UDAP: the server's certificate chain (PEM, leaf first), whose leaf names the base URLs as URI SANs; signs `signed_metadata`. */
  @OptionalTextSetting()
  UDAP_SERVER_CERT_FILE?: string;

  /** UDAP: the private key of UDAP_SERVER_CERT_FILE's leaf (PEM). */
  @OptionalTextSetting()
  UDAP_SERVER_KEY_FILE?: string;

  /** Clients as code: a YAML file of client registrations reconciled at start, on SIGHUP and on the reload interval. */
  @OptionalTextSetting()
  CLIENTS_FILE?: string;

  /** Delete the clients an earlier CLIENTS_FILE declared and the current one does not (never registered clients). */
  @FlagSetting()
  CLIENTS_PRUNE = 'false';

  /** Check CLIENTS_FILE (and the secret files it names) this often and apply it when it changed. */
  @IsOptional()
  @IntegerSetting(1, 86400)
  CLIENTS_RELOAD_INTERVAL_SECONDS?: number;
}
