/** Order-preserving removal of repeated values. */
export function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}
