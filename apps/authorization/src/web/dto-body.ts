import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { WebRequest } from '#contracts';
import { InvalidRequest } from '#oauth';

/**
 * The JSON body of an API request as a validated DTO (class-validator,
 * unknown members refused). Form bodies are accepted for flat DTOs, with
 * `true`/`false` read as booleans.
 */
export async function dtoOf<T extends object>(cls: new () => T, req: WebRequest): Promise<T> {
  let plain: unknown = req.json;
  if (plain === undefined && req.form) {
    plain = Object.fromEntries(
      Object.entries(req.form).map(([k, v]) => {
        const value = Array.isArray(v) ? v[0] : v;
        return [k, value === 'true' ? true : value === 'false' ? false : value];
      }),
    );
  }
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new InvalidRequest('the body must be a JSON object');
  // class-transformer drops these silently; they are unknown members like any other, so refuse them.
  const reserved = reservedMember(plain);
  if (reserved) throw new InvalidRequest(`property ${reserved} should not exist`);
  const dto = plainToInstance(cls, plain);
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
  if (errors.length > 0) {
    const first = errors[0]!;
    const message = first.constraints ? Object.values(first.constraints)[0] : first.children?.length ? `${first.property} is not valid` : undefined;
    throw new InvalidRequest(message ?? `${first.property} is not valid`);
  }
  return dto;
}

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** The path of the first member named like an Object.prototype internal, at any depth (the gateway bounds the depth). */
function reservedMember(value: unknown, path = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const key of Object.keys(value)) {
    const here = Array.isArray(value) ? `${path}[${key}]` : `${path}${path ? '.' : ''}${key}`;
    if (!Array.isArray(value) && RESERVED.has(key)) return here;
    const nested = reservedMember((value as Record<string, unknown>)[key], here);
    if (nested) return nested;
  }
  return undefined;
}
