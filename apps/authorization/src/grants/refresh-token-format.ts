import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { RefreshTokenFormatInfo } from '#contracts';
import { mayBeIssuedRefreshToken, RefreshTokenChecksum } from '#oauth';

/**
 * How this deployment's refresh tokens are made and recognised (issue #14):
 * the checksum key and the legacy horizon that migration
 * `RefreshTokenChecksum1765300000000` recorded, read once at start. The
 * introspection service gets both through `authorization.v1.refresh.format`
 * and refuses text that was never issued here without asking anyone.
 */
@Injectable()
export class RefreshTokenFormat implements OnModuleInit {
  private checksum?: RefreshTokenChecksum;
  private legacyUntil: number | null = null;
  private keyText = '';

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async onModuleInit(): Promise<void> {
    const rows = (await this.dataSource.query(`SELECT encode(checksum_key, 'base64') AS key, legacy_until FROM refresh_token_format WHERE id = 1`)) as Array<{ key: string; legacy_until: Date | null }>;
    const row = rows[0];
    if (!row) throw new Error('refresh_token_format has no row: run the authorization migrations');
    const key = Buffer.from(row.key, 'base64');
    this.checksum = new RefreshTokenChecksum(key);
    this.keyText = key.toString('base64url');
    this.legacyUntil = row.legacy_until ? row.legacy_until.getTime() : null;
  }

  private get ready(): RefreshTokenChecksum {
    if (!this.checksum) throw new Error('RefreshTokenFormat used before the module started');
    return this.checksum;
  }

  /** A new refresh token. */
  issue(): string {
    return this.ready.issue();
  }

  /** Whether `token` may be one this deployment issued (worth a database lookup). */
  mayBeIssued(token: string): boolean {
    return mayBeIssuedRefreshToken(token, this.ready, this.legacyUntil);
  }

  /** `authorization.v1.refresh.format`. */
  info(): RefreshTokenFormatInfo {
    if (!this.keyText) throw new Error('RefreshTokenFormat used before the module started');
    return { checksum_key: this.keyText, legacy_until: this.legacyUntil === null ? null : Math.floor(this.legacyUntil / 1000) };
  }
}
