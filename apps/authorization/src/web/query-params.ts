import { InvalidRequest } from '#oauth';

/** A paging number from the query (`limit`, `offset`), clamped to [min, max]. */
export function boundedInt(value: string | string[] | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,7}$/.test(value)) throw new InvalidRequest('limit and offset must be whole numbers');
  return Math.min(max, Math.max(min, Number(value)));
}

/** A filter value given at most once. */
export function singleValue(name: string, value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 128) throw new InvalidRequest(`${name} must be given once, at most 128 characters`);
  return value;
}
