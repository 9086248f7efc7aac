import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, ValidateBy, ValidateIf } from 'class-validator';
import { FlagSetting, HousekeepingConfig, HttpUrlSetting, IntegerSetting, OptionalTextSetting } from '#nest';

/** https, or http only on a loopback host (a development identity provider); no query, no fragment (OIDC Discovery §2). */
const UPSTREAM_ISSUER = /^(https:\/\/[^\s/?#]+|http:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d{1,5})?)(\/[^\s?#]*)?$/;

/** Parameters the upstream login sets itself; UPSTREAM_OIDC_AUTHORIZE_PARAMS may not override them. */
export const UPSTREAM_RESERVED_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'request', 'request_uri', 'response_mode'];

/** A form-encoded list of extra authorization parameters, none of them one the upstream login sets itself. */
function IsExtraAuthorizeParams(): PropertyDecorator {
  return ValidateBy({
    name: 'isExtraAuthorizeParams',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string' || !/^[^\s=&]+=[^\s&]*(&[^\s=&]+=[^\s&]*)*$/.test(value)) return false;
        return [...new URLSearchParams(value).keys()].every((name) => !UPSTREAM_RESERVED_PARAMS.includes(name));
      },
      defaultMessage: () => `must be form-encoded name=value pairs joined by & (e.g. aud=https://idp.example/fhir), none of ${UPSTREAM_RESERVED_PARAMS.join(', ')}`,
    },
  });
}

const upstreamConfigured = (config: AuthorizationConfig) => config.UPSTREAM_OIDC_ISSUER !== undefined;

export class AuthorizationConfig extends HousekeepingConfig {
  /** Authorization codes live at most 60 s (CONFORMANCE: short-lived codes, RFC 6749 §4.1.2 recommends ≤ 10 min). */
  @IntegerSetting(5, 60)
  AUTHORIZATION_CODE_TTL_SECONDS = 60;

  /** How long a login/consent interaction may take before the person must start over. */
  @IntegerSetting(60, 3600)
  INTERACTION_TTL_SECONDS = 900;

  /** Lifetime of the login session cookie (and of `online_access` refresh tokens bound to it). */
  @IntegerSetting(300, 7 * 24 * 3600)
  SESSION_TTL_SECONDS = 8 * 3600;

  /**
   * Lifetime of an `offline_access` refresh token; every rotation starts a
   * new one. 92 days: ONC (45 CFR 170.315(g)(10)) asks for at least three
   * months, and three calendar months are up to 92 days (90 fall short from
   * 1 July or 1 December).
   */
  @IntegerSetting(3600, 365 * 24 * 3600)
  REFRESH_TOKEN_TTL_SECONDS = 92 * 24 * 3600;

  /**
   * Refresh grace: for this many seconds after a refresh token is rotated,
   * presenting it again (two tabs, a client retry) returns the same token
   * response instead of revoking the grant as reuse (RFC 9700 §4.14.2 allows
   * rotation to tolerate this). 0 (the default) keeps strict reuse detection;
   * 10 is a reasonable value for browser apps.
   */
  @IntegerSetting(0, 300)
  REFRESH_REUSE_GRACE_SECONDS = 0;

  /**
   * Reuse-detection horizon: how long after its rotation a spent refresh
   * token's row is kept (never past the token's own expiry). While it is,
   * presenting the token again is reuse and revokes the grant (RFC 9700
   * §4.14.2); once the janitor deleted it, the token is unknown: still
   * refused with `invalid_grant`, but the grant is no longer revoked for it.
   * Unset (the default): REFRESH_TOKEN_TTL_SECONDS, i.e. until the token
   * would have expired, so detection holds for as long as the token could be
   * presented. At least an hour (well past the grace window).
   */
  @IsOptional()
  @IntegerSetting(3600, 365 * 24 * 3600)
  REFRESH_REUSE_DETECTION_SECONDS?: number;

  /**
   * Lifetime of a pushed authorization request (RFC 9126 §2.2 `expires_in`): the `/authorize` that uses its
   * `request_uri` must come within it. 60 s by default; RFC 9126 §2.2 suggests 5 to 600 s.
   */
  @IntegerSetting(1, 600)
  PAR_LIFETIME_SECONDS = 60;

  /**
   * RFC 9126 §5 `require_pushed_authorization_requests`: with `true`, every client must push its authorization
   * request (`POST /par`); `/authorize` without a `request_uri` is refused with an error page. A client can
   * also require it for itself alone (its registration metadata, RFC 9126 §6).
   */
  @FlagSetting()
  REQUIRE_PAR = 'false';

  /** Lifetime of an EHR launch context created with POST /launch. */
  @IntegerSetting(30, 3600)
  LAUNCH_TTL_SECONDS = 300;

  /**
   * Whether the EHR's word is enough for a practitioner: with `true`, an EHR
   * launch bound to the signed-in user (its `user` or `fhirUser`) may open a
   * patient who is not on that user's list. Off by default: a launch then
   * opens only a patient on the user's list. A patient user opens only their
   * own record either way.
   */
  @FlagSetting()
  EHR_LAUNCH_TRUSTED = 'false';

  /**
   * Whether an approved EHR's signed launch JWT opening the launcher
   * (`/launcher?launch_jwt=…`) also signs in the practitioner it names, for
   * the launches made from that page only: the app's /authorize then shows
   * consent without a second sign-in (issue #16). Off: the practitioner signs
   * in at /authorize. Trust needs both this setting and an administrator's
   * approval of the EHR client's `launch` privilege.
   */
  @FlagSetting()
  EHR_SIGN_IN_TRUSTED = 'false';

  /** Failed logins per username within the window before that username is locked for the window. */
  @IntegerSetting(1, 1000)
  LOGIN_MAX_FAILURES_PER_USER = 5;

  /** Failed logins per client address within the window before that address is locked for the window. */
  @IntegerSetting(1, 100000)
  LOGIN_MAX_FAILURES_PER_ADDRESS = 30;

  @IntegerSetting(10, 24 * 3600)
  LOGIN_THROTTLE_WINDOW_SECONDS = 900;

  /**
   * Origins of EHRs allowed to frame the pages (CSP `frame-ancestors`), space
   * or comma separated. Empty: no framing at all (`X-Frame-Options: DENY`).
   */
  @IsOptional()
  @Matches(/^\s*(https?:\/\/[A-Za-z0-9.-]+(:\d+)?)([\s,]+https?:\/\/[A-Za-z0-9.-]+(:\d+)?)*\s*$/, { message: 'must be http(s) origins, space or comma separated' })
  EHR_ORIGINS?: string;

  /** SMART styling JSON for the pages and `smart_style_url` (a JSON object; see docs). */
  @OptionalTextSetting()
  SMART_STYLE_JSON?: string;

  /**
   * Issuer of an upstream OpenID Connect provider that replaces the built-in
   * login: `/authorize` sends the browser there and back (OIDC Core §3.1).
   * https; plain http only for a loopback host.
   */
  @IsOptional()
  @HttpUrlSetting('must be an absolute https URL')
  @Matches(UPSTREAM_ISSUER, { message: 'must be https (http only for localhost/127.0.0.1/[::1]), without query or fragment' })
  UPSTREAM_OIDC_ISSUER?: string;

  /** This server's client id at the upstream provider; required with UPSTREAM_OIDC_ISSUER. */
  @ValidateIf(upstreamConfigured)
  @IsNotEmpty({ message: 'is required when UPSTREAM_OIDC_ISSUER is set' })
  @IsString()
  @MaxLength(256)
  UPSTREAM_OIDC_CLIENT_ID?: string;

  /** Its client secret (client_secret_basic or _post, as the upstream advertises); required with UPSTREAM_OIDC_ISSUER. */
  @ValidateIf(upstreamConfigured)
  @IsNotEmpty({ message: 'is required when UPSTREAM_OIDC_ISSUER is set (or UPSTREAM_OIDC_CLIENT_SECRET_FILE)' })
  @IsString()
  @MaxLength(1024)
  UPSTREAM_OIDC_CLIENT_SECRET?: string;

  /** Scopes asked of the upstream provider; must include `openid`. */
  @Matches(/^(\S+ )*openid( \S+)*$/, { message: 'must be space-separated scopes including openid' })
  UPSTREAM_OIDC_SCOPE = 'openid profile';

  /** The ID token (or userinfo) claim whose value identifies the local user. */
  @Matches(/^[A-Za-z0-9_:.-]{1,64}$/, { message: 'must be a claim name' })
  UPSTREAM_OIDC_USER_CLAIM = 'preferred_username';

  /** What the claim is matched against: the local `username`, or the local user's `fhirUser` (`Patient/123`, or a URL ending in it). */
  @IsIn(['username', 'fhirUser'])
  UPSTREAM_OIDC_MATCH: 'username' | 'fhirUser' = 'username';

  /** Extra parameters of the upstream authorization request, form-encoded (`aud=https://idp.example/fhir` for a SMART upstream). */
  @IsOptional()
  @IsExtraAuthorizeParams()
  UPSTREAM_OIDC_AUTHORIZE_PARAMS?: string;

  /** Seed the demo users and patients (embedded development mode turns this on). */
  @FlagSetting()
  SEED_DEMO_DATA = 'false';
}

/** The reuse-detection horizon in force (REFRESH_REUSE_DETECTION_SECONDS, or the refresh token lifetime). */
export function reuseDetectionSeconds(config: Pick<AuthorizationConfig, 'REFRESH_REUSE_DETECTION_SECONDS' | 'REFRESH_TOKEN_TTL_SECONDS'>): number {
  return config.REFRESH_REUSE_DETECTION_SECONDS ?? config.REFRESH_TOKEN_TTL_SECONDS;
}
