const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `30d`, `12h`, `15m`, `90s` or a bare number of seconds; never zero. */
export const DURATION = /^([1-9]\d{0,8})([smhd])?$/;

/** Seconds in a duration setting (`30d`, `12h`, `15m`, `90s`, `3600`); NaN when it is not one. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * UNIT_SECONDS[match[2] ?? 's']!;
}
