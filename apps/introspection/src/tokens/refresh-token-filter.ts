import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { REFRESH_TOKEN_BYTES, Rpc, type RefreshTokenFormatInfo } from '#contracts';
import { ServiceBus } from '#nest';
import { isOpaqueTokenShaped, mayBeIssuedRefreshToken, RefreshTokenChecksum } from '#oauth';

/** How long after a failed attempt the format is asked for again (the authorization service may start later). */
const RETRY_MS = 5000;

/**
 * Whether a presented text may be a refresh token this deployment issued,
 * decided here without a round trip (issue #14: forged and garbage tokens are
 * answered as fast as valid ones). The authorization service's refresh-token
 * format (checksum key, legacy horizon) is asked once; until it has answered,
 * every text of the refresh-token shape is looked up as before, so a replica
 * that starts first loses nothing but speed.
 */
@Injectable()
export class RefreshTokenFilter implements OnApplicationBootstrap {
  private readonly logger = new Logger('RefreshTokenFilter');
  private format?: { checksum: RefreshTokenChecksum; legacyUntil: number | null };
  private askedAt = -Infinity;
  private asking = false;

  constructor(private readonly bus: ServiceBus) {}

  onApplicationBootstrap(): void {
    void this.ask();
  }

  /** false only for text that cannot be one of this deployment's refresh tokens. */
  mayBeIssued(token: string): boolean {
    if (!isOpaqueTokenShaped(token, REFRESH_TOKEN_BYTES)) return false;
    const format = this.format;
    if (format) return mayBeIssuedRefreshToken(token, format.checksum, format.legacyUntil);
    if (Date.now() - this.askedAt >= RETRY_MS) void this.ask();
    return true;
  }

  /** Asks the authorization service for the format; resolves whether it is known now. */
  async ask(): Promise<boolean> {
    if (this.format) return true;
    if (this.asking) return false;
    this.asking = true;
    this.askedAt = Date.now();
    try {
      const info = await this.bus.request(Rpc.authorization.refreshTokenFormat, {});
      const format = parsed(info);
      if (format) this.format = format;
      else this.logger.warn('the authorization service answered the refresh-token format with something else; refresh tokens are looked up');
    } catch (err: unknown) {
      this.logger.debug?.(`refresh-token format not known yet (${(err as Error).message}); refresh tokens are looked up meanwhile`);
    } finally {
      this.asking = false;
    }
    return this.format !== undefined;
  }
}

function parsed(info: unknown): { checksum: RefreshTokenChecksum; legacyUntil: number | null } | undefined {
  const candidate = info as Partial<RefreshTokenFormatInfo> | null;
  if (typeof candidate?.checksum_key !== 'string') return undefined;
  const key = Buffer.from(candidate.checksum_key, 'base64url');
  if (key.length !== 32) return undefined;
  const legacy = candidate.legacy_until;
  if (legacy !== null && (typeof legacy !== 'number' || !Number.isFinite(legacy))) return undefined;
  return { checksum: new RefreshTokenChecksum(key), legacyUntil: legacy === null ? null : legacy * 1000 };
}
