import { ClientIdColumn, IdColumn } from '#nest';

/**
 * What consents and jwt-bearer permissions have in common: each is what one
 * user allowed one client, at most one row per user and client, keyed by
 * the pair. Not a table of its own (concrete table inheritance).
 */
export abstract class UserClientEntity {
  @IdColumn({ primary: true })
  userId: string;

  @ClientIdColumn({ primary: true })
  clientId: string;
}
