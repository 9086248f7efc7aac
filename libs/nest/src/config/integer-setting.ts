import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';

/** Environment text of digits as a number; anything else is left for `IsInt` to refuse. */
export const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

/**
 * A whole-number setting from `min` to `max` (inclusive), read from its
 * environment text: the same as stacking `@Transform(toInt) @IsInt() @Min(min) @Max(max)`.
 */
export function IntegerSetting(min: number, max: number): PropertyDecorator {
  // Bottom-up, as stacked decorators apply, so the constraints and their messages keep that order.
  const bottomUp: PropertyDecorator[] = [Max(max), Min(min), IsInt(), Transform(toInt)];
  return (target, property) => {
    for (const decorate of bottomUp) decorate(target, property);
  };
}
