import 'reflect-metadata';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { claimValue, clientErrorFor, localFhirReference } from './upstream-claims.js';

describe('localFhirReference', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['a relative reference', 'Patient/123', 'Patient/123'],
    ['a practitioner', 'Practitioner/pr-1', 'Practitioner/pr-1'],
    ['an absolute URL (SMART: fhirUser is a URL)', 'https://idp.example/fhir/Patient/123', 'Patient/123'],
    ['an absolute URL on plain http', 'http://127.0.0.1:8080/fhir/Person/p.1', 'Person/p.1'],
    ['a URL without a base path', 'https://idp.example/Patient/123', 'Patient/123'],
    ['a resource type no user can be', 'Observation/1', undefined],
    ['a URL to another resource type', 'https://idp.example/fhir/Observation/1', undefined],
    ['a URL with a query', 'https://idp.example/fhir/Patient/123?x=1', undefined],
    ['a URL with a fragment', 'https://idp.example/fhir/Patient/123#x', undefined],
    ['a versioned reference', 'https://idp.example/fhir/Patient/123/_history/2', undefined],
    ['another scheme', 'urn:fhir:Patient/123', undefined],
    ['a bare id', '123', undefined],
    ['a trailing slash', 'Patient/123/', undefined],
  ];
  for (const [name, value, expected] of cases) it(`maps ${name}`, () => assert.equal(localFhirReference(value), expected));
});

describe('claimValue', () => {
  const cases: Array<[string, Record<string, unknown> | undefined, string | undefined]> = [
    ['a string claim', { fhirUser: 'Patient/1' }, 'Patient/1'],
    ['no claims', undefined, undefined],
    ['a missing claim', { sub: 'x' }, undefined],
    ['an empty string', { fhirUser: '' }, undefined],
    ['a number', { fhirUser: 1 }, undefined],
    ['an array', { fhirUser: ['Patient/1'] }, undefined],
    ['an over-long value', { fhirUser: 'x'.repeat(1025) }, undefined],
  ];
  for (const [name, claims, expected] of cases) it(`reads ${name}`, () => assert.equal(claimValue(claims, 'fhirUser'), expected));
});

describe('clientErrorFor', () => {
  const cases: Array<[string, string]> = [
    ['access_denied', 'access_denied'],
    ['login_required', 'login_required'],
    ['interaction_required', 'interaction_required'],
    ['consent_required', 'consent_required'],
    ['temporarily_unavailable', 'temporarily_unavailable'],
    ['server_error', 'server_error'],
    // The upstream refusing our own request is not the client's fault.
    ['invalid_request', 'server_error'],
    ['invalid_scope', 'server_error'],
    ['unauthorized_client', 'server_error'],
    ['something_new', 'server_error'],
  ];
  for (const [upstream, expected] of cases) it(`maps ${upstream} to ${expected}`, () => assert.equal(clientErrorFor(upstream).error, expected));
});
