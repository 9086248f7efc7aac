import { Sha256Column, TimestampColumn } from '#nest';

/**
 * What a launch context and a pushed authorization request have in common:
 * each is found by the SHA-256 of a random value handed out (never the value
 * itself), made at one moment, usable once, until it expires. Not a table of
 * its own (concrete table inheritance).
 */
export abstract class SingleUseRecordEntity {
  @Sha256Column({ primary: true })
  idHash: string;

  @TimestampColumn({ defaultNow: true })
  createdAt: Date;

  @TimestampColumn()
  expiresAt: Date;
}
