import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { WebRequest } from '#contracts';
import { OAuthError } from '#oauth';
import { CreateLaunchDto } from '../launch/launch-context.dto.js';
import { CreateUserDto, UpdateUserDto } from '../users/user.dto.js';
import { dtoOf } from './dto-body.js';

function request(body: { json?: unknown; form?: Record<string, string | string[]> }): WebRequest {
  return { method: 'POST', path: '/x', query: {}, cookies: {}, remoteAddress: '192.0.2.1', ...body };
}

async function refused(cls: new () => object, body: { json?: unknown; form?: Record<string, string | string[]> }, description: RegExp): Promise<void> {
  await assert.rejects(dtoOf(cls, request(body)), (err: unknown) => err instanceof OAuthError && err.error === 'invalid_request' && description.test(err.description ?? ''), JSON.stringify(body));
}

describe('dtoOf (validated API bodies)', () => {
  it('reads a JSON object into the DTO', async () => {
    const dto = await dtoOf(CreateLaunchDto, request({ json: { patient: 'pt-1', need_patient_banner: false } }));
    assert.ok(dto instanceof CreateLaunchDto);
    assert.equal(dto.patient, 'pt-1');
    assert.equal(dto.need_patient_banner, false);
  });

  it('reads a flat form, with true/false as booleans and the first of repeated fields', async () => {
    const dto = await dtoOf(CreateLaunchDto, request({ form: { patient: ['pt-1', 'pt-2'], need_patient_banner: 'true' } }));
    assert.equal(dto.patient, 'pt-1');
    assert.equal(dto.need_patient_banner, true);
  });

  it('refuses a body that is not a JSON object', async () => {
    for (const json of [undefined, null, [], 'x', 1, true]) await refused(CreateLaunchDto, { json }, /JSON object/);
  });

  it('refuses unknown members, including the ones named like Object.prototype internals', async () => {
    await refused(CreateLaunchDto, { json: { patient: 'pt-1', extra: 1 } }, /extra/);
    for (const text of ['{"patient":"pt-1","__proto__":{"x":1}}', '{"patient":"pt-1","constructor":{"prototype":{"x":1}}}', '{"patient":"pt-1","fhirContext":[{"reference":"Observation/1","__proto__":{}}]}']) {
      await refused(CreateLaunchDto, { json: JSON.parse(text) }, /should not exist/);
    }
    await refused(CreateLaunchDto, { form: JSON.parse('{"patient":"pt-1","__proto__":"x"}') as Record<string, string> }, /should not exist/);
  });

  it('user updates: absent is unchanged, null is refused except for fhirUser', async () => {
    for (const member of ['password', 'display_name', 'patients', 'disabled']) {
      await refused(UpdateUserDto, { json: { [member]: null } }, new RegExp(member));
    }
    const cleared = await dtoOf(UpdateUserDto, request({ json: { fhirUser: null } }));
    assert.equal(cleared.fhirUser, null);
    const none = await dtoOf(UpdateUserDto, request({ json: {} }));
    assert.ok(Object.values(none).every((v) => v === undefined));
  });

  it('user creation: the first failing member is named', async () => {
    await refused(CreateUserDto, { json: { username: 'ok', password: 'short', display_name: 'X' } }, /at least 8/);
    await refused(CreateUserDto, { json: { username: 'ok', password: 'long-enough', display_name: null } }, /display_name/);
    await refused(CreateUserDto, { json: { username: 'ok', password: 'long-enough', display_name: 'X', patients: [{ id: 'a b', name: 'X' }] } }, /patients/);
  });
});
