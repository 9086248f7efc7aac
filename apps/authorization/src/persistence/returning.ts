/**
 * Rows of an `UPDATE … RETURNING` / `DELETE … RETURNING` run through
 * `DataSource.query`: TypeORM's PostgreSQL driver answers those as
 * `[rows, affectedCount]` and plain selects as `rows`.
 */
export function returningRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : [];
}
