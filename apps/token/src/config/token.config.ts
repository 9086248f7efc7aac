import { IsIn } from 'class-validator';
import { CommonConfig, FlagSetting, IsKeyEncryptionKey, IntegerSetting } from '#nest';

/**
 * Algorithms ID tokens may be signed with: RS256 is required by OIDC Core
 * §15.1 (and the only one Inferno accepts), ES256 for clients that register
 * `id_token_signed_response_alg` (OIDC Registration §2).
 */
export const ID_TOKEN_SIGNING_ALGS: readonly string[] = ['RS256', 'ES256'];

export class TokenConfig extends CommonConfig {
  @IsKeyEncryptionKey()
  KEY_ENCRYPTION_KEY: string;

  @IsIn(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'])
  ACCESS_TOKEN_ALG = 'ES256';

  /** SMART App Launch 2.2: access tokens should live no longer than an hour. */
  @IntegerSetting(30, 3600)
  ACCESS_TOKEN_TTL_SECONDS = 3600;

  /** SMART Backend Services: tokens should not live longer than five minutes. */
  @IntegerSetting(30, 3600)
  CLIENT_CREDENTIALS_TTL_SECONDS = 300;

  /** Default ID token algorithm, for clients that registered no `id_token_signed_response_alg`. */
  @IsIn(ID_TOKEN_SIGNING_ALGS)
  ID_TOKEN_ALG = 'RS256';

  /** Lifetime of ID tokens (OIDC Core §2 `exp`). */
  @IntegerSetting(60, 86400)
  ID_TOKEN_TTL_SECONDS = 3600;

  /**
   * RFC 9449 §8: with `true`, a DPoP proof at /token must carry a server nonce (`use_dpop_nonce` and a
   * `DPoP-Nonce` header otherwise; every successful /token answer carries the current nonce too).
   */
  @FlagSetting()
  DPOP_NONCE_REQUIRED = 'false';

  /** How often the DPoP nonce changes; the previous one stays accepted for as long again. */
  @IntegerSetting(10, 3600)
  DPOP_NONCE_ROTATION_SECONDS = 300;
}
