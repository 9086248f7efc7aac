import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import { stacked } from '#oauth';

// The kinds of setting the configuration classes declare again and again, each one decorator: the same as
// stacking the class-validator decorators its comment names, in that order.

/** Environment text of digits as a number; anything else is left for `IsInt` to refuse. */
export const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

/** A whole number from `min` to `max` (inclusive), read from its environment text: `@Transform(toInt) @IsInt() @Min(min) @Max(max)`. */
export function IntegerSetting(min: number, max: number): PropertyDecorator {
  return stacked(Transform(toInt), IsInt(), Min(min), Max(max));
}

/** A switch, `true` or `false` (kept as that text): `@IsIn(['true', 'false'])`. */
export function FlagSetting(): PropertyDecorator {
  return IsIn(['true', 'false']);
}

/** An absolute http(s) URL (a host without a top-level domain allowed): `@IsUrl(…)` with `message`. */
export function HttpUrlSetting(message = 'must be an absolute http(s) URL'): PropertyDecorator {
  return IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] }, { message });
}

/** Text that may be absent (a JSON document or a path its reader checks): `@IsOptional() @IsString()`. */
export function OptionalTextSetting(): PropertyDecorator {
  return stacked(IsOptional(), IsString());
}

/** A secret that may be absent and is at least 16 characters when set: `@IsOptional() @IsString() @MinLength(16, …)`. */
export function OptionalSecretSetting(): PropertyDecorator {
  return stacked(IsOptional(), IsString(), MinLength(16, { message: 'must be at least 16 characters' }));
}
