import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EventEnvelope } from '#contracts';
import { toFhirAuditEvent } from './fhir-audit-event.js';

const ISSUER = 'https://auth.example.org';
const envelope = (type: string, data: Record<string, unknown>): EventEnvelope =>
  ({ id: '6f1c2f4e-5d7a-4c1b-9a51-0d3f5d6f7a80', type, version: 1, occurred_at: '2026-11-25T10:00:00.000Z', source: 'authorization', data }) as unknown as EventEnvelope;

describe('toFhirAuditEvent (FHIR R4 AuditEvent)', () => {
  it('a grant: application activity, created, the person and the app as agents, the patient and grant as entities', () => {
    const r = toFhirAuditEvent(envelope('grant.created', { grant_id: 'g1', client_id: 'app', user_id: 'u1', patient: 'p1', scope: 'patient/*.rs', launch: 'standalone' }), ISSUER);
    assert.equal(r.resourceType, 'AuditEvent');
    assert.deepEqual([r.type.code, r.action, r.outcome, r.recorded], ['110100', 'C', '0', '2026-11-25T10:00:00.000Z']);
    assert.deepEqual(r.subtype[0], { system: 'urn:smart-auth-suite:event-type', code: 'grant.created' });
    assert.deepEqual(r.agent.map((a) => [a.who.identifier.value, a.requestor]), [['u1', true], ['app', false]]);
    assert.equal(r.entity?.[0]?.what.reference, 'Patient/p1');
    assert.equal(r.entity?.[1]?.what.identifier?.value, 'g1');
    assert.equal(r.source.observer.display, 'smart-auth-suite/authorization');
  });
  it('a failed login: user authentication with a minor-failure outcome and the network address', () => {
    const r = toFhirAuditEvent(envelope('login.failed', { method: 'password', reason: 'throttled', remote_address: '10.0.0.7', user_id: 'u1' }), ISSUER);
    assert.deepEqual([r.type.code, r.outcome, r.outcomeDesc], ['110114', '4', 'throttled']);
    assert.deepEqual(r.agent[0]!.network, { address: '10.0.0.7', type: '2' });
  });
  it('a machine token: the client is the requestor; refresh-token reuse is a serious failure', () => {
    const token = toFhirAuditEvent(envelope('token.issued', { jti: 'j1', client_id: 'bulk', sub: 'bulk', scope: 'system/*.rs' }), ISSUER);
    assert.deepEqual(token.agent.map((a) => [a.who.identifier.value, a.requestor]), [['bulk', true]]);
    const reuse = toFhirAuditEvent(envelope('grant.revoked', { grant_id: 'g', client_id: 'app', user_id: 'u', reason: 'refresh_token_reuse', revoked_at: 1 }), ISSUER);
    assert.deepEqual([reuse.type.code, reuse.action, reuse.outcome], ['110113', 'D', '8']);
  });
  it("a UDAP client's token: the purposes of use it asserted (hl7-b2b) as purposeOfEvent", () => {
    const data = { jti: 'j2', client_id: 'b2b', sub: 'b2b', scope: 'system/*.rs', authorization_extensions: { extensions: ['hl7-b2b'], purpose_of_use: ['urn:oid:2.16.840.1.113883.5.8#TREAT', 'SYSDEV'], organization_id: 'https://payer.example/org' } };
    assert.deepEqual(toFhirAuditEvent(envelope('token.issued', data), ISSUER).purposeOfEvent, [{ coding: [{ system: 'urn:oid:2.16.840.1.113883.5.8', code: 'TREAT' }] }, { text: 'SYSDEV' }]);
    assert.equal(toFhirAuditEvent(envelope('token.issued', { jti: 'j3', client_id: 'c', sub: 'c', scope: 's' }), ISSUER).purposeOfEvent, undefined);
  });
  it('a refresh: application activity, created, the person as requestor and the grant and patient as entities', () => {
    const r = toFhirAuditEvent(envelope('token.refreshed', { grant_id: 'g2', client_id: 'app', user_id: 'u2', scope: 'patient/*.rs offline_access', patient: 'p2' }), ISSUER);
    assert.deepEqual([r.type.code, r.action, r.outcome], ['110100', 'C', '0']);
    assert.deepEqual(r.agent.map((a) => [a.who.identifier.value, a.requestor]), [['u2', true], ['app', false]]);
    assert.deepEqual(r.entity?.map((e) => e.what.reference ?? e.what.identifier?.value), ['Patient/p2', 'g2']);
  });
  it('a refused EHR launch: a security alert with a minor-failure outcome naming the reason, the person, the app and the patient', () => {
    const r = toFhirAuditEvent(envelope('launch.refused', { client_id: 'app', user_id: 'u4', patient: 'p-bob', launched_by: 'ehr', reason: 'not_own_patient' }), ISSUER);
    assert.deepEqual([r.type.code, r.action, r.outcome, r.outcomeDesc], ['110113', 'E', '4', 'EHR launch refused: not_own_patient']);
    assert.deepEqual(r.agent.map((a) => [a.who.identifier.value, a.requestor]), [['u4', true], ['app', false]]);
    assert.equal(r.entity?.[0]?.what.reference, 'Patient/p-bob');
  });
  it('a reused refresh token: a security alert with a serious-failure outcome', () => {
    const r = toFhirAuditEvent(envelope('refresh_token.reused', { grant_id: 'g3', client_id: 'app', user_id: 'u3' }), ISSUER);
    assert.deepEqual([r.type.code, r.action, r.outcome], ['110113', 'E', '8']);
    assert.equal(r.subtype[0]!.code, 'refresh_token.reused');
    assert.equal(r.entity?.[0]?.what.identifier?.value, 'g3');
  });
});
