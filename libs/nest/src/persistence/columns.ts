import { Column, type ColumnOptions } from 'typeorm';

/** What varies between the columns of one kind: whether it is (part of) the primary key, or may be NULL. */
export type ColumnRole = Pick<ColumnOptions, 'primary' | 'nullable'>;

/**
 * A point in time: `timestamptz`. With `defaultNow`, PostgreSQL sets it to
 * `now()` when an insert leaves it out (`created_at` and the like).
 */
export function TimestampColumn({ defaultNow, ...role }: ColumnRole & { defaultNow?: true } = {}): PropertyDecorator {
  return Column({ type: 'timestamptz', ...role, ...(defaultNow ? { default: () => 'now()' } : {}) });
}

/** A client's `client_id`: `varchar(128)`, the longest registration accepts. */
export function ClientIdColumn(role: ColumnRole = {}): PropertyDecorator {
  return Column({ type: 'varchar', length: 128, ...role });
}

/** An identifier the suite makes (users, grants, interactions, signing keys, token `jti`s): `varchar(64)`. */
export function IdColumn(role: ColumnRole = {}): PropertyDecorator {
  return Column({ type: 'varchar', length: 64, ...role });
}

/** The hex SHA-256 of a secret that is never stored itself (a code, a token, a cookie, a `state`): `varchar(64)`. */
export function Sha256Column(role: ColumnRole = {}): PropertyDecorator {
  return Column({ type: 'varchar', length: 64, ...role });
}

/** Seconds since the epoch as `bigint`, read back as a number (the driver returns a `bigint` as a string). */
export function EpochSecondsColumn(options: Pick<ColumnOptions, 'default'> = {}): PropertyDecorator {
  return Column({ type: 'bigint', ...options, transformer: { to: (value: number) => value, from: (value: string) => Number(value) } });
}
