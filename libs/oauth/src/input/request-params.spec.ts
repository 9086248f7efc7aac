import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RequestParams } from './request-params.js';

describe('RequestParams (RFC 6749 §3.1: empty = absent, no parameter more than once)', () => {
  it('reads single values', () => {
    const p = new RequestParams({ a: '1', b: 'two' });
    assert.equal(p.get('a'), '1');
    assert.equal(p.get('b'), 'two');
    assert.equal(p.get('c'), undefined);
    assert.deepEqual(p.repeated, []);
    assert.deepEqual(p.toRecord(), { a: '1', b: 'two' });
  });

  it('treats empty values as absent', () => {
    const p = new RequestParams({ a: '', b: ['', ''] });
    assert.equal(p.get('a'), undefined);
    assert.equal(p.get('b'), undefined);
    assert.deepEqual(p.repeated, []);
    assert.deepEqual(p.toRecord(), {});
  });

  it('reports repeated parameters and keeps the first value', () => {
    const p = new RequestParams({ scope: ['openid', 'fhirUser'], state: 'x' });
    assert.deepEqual(p.repeated, ['scope']);
    assert.equal(p.get('scope'), 'openid');
  });

  it('a repeat with one empty value counts once', () => {
    const p = new RequestParams({ scope: ['', 'openid'] });
    assert.deepEqual(p.repeated, []);
    assert.equal(p.get('scope'), 'openid');
  });

  it('a one-element array is a single value', () => {
    const p = new RequestParams({ a: ['1'] });
    assert.equal(p.get('a'), '1');
    assert.deepEqual(p.repeated, []);
  });

  it('accepts an absent source', () => {
    const p = new RequestParams(undefined);
    assert.equal(p.get('a'), undefined);
    assert.deepEqual(p.repeated, []);
  });

  it('ignores values that are not strings (defensive: the bus payload is JSON)', () => {
    const p = new RequestParams({ a: 42, b: [null, 'x'], c: { nested: 'y' } } as unknown as Record<string, string | string[]>);
    assert.equal(p.get('a'), undefined);
    assert.equal(p.get('b'), 'x');
    assert.equal(p.get('c'), undefined);
    assert.deepEqual(p.repeated, []);
  });

  it('names that collide with Object.prototype are plain parameters', () => {
    const source = JSON.parse('{"__proto__":"x","constructor":"y","toString":["a","b"]}') as Record<string, string | string[]>;
    const p = new RequestParams(source);
    assert.equal(p.get('__proto__'), 'x');
    assert.equal(p.get('constructor'), 'y');
    assert.equal(p.get('hasOwnProperty'), undefined);
    assert.deepEqual(p.repeated, ['toString']);
  });

  it('all(): every non-empty value of a repeatable field (checkbox groups)', () => {
    const form = { scope: ['openid', '', 'patient/*.rs'], one: 'x' };
    assert.deepEqual(RequestParams.all(form, 'scope'), ['openid', 'patient/*.rs']);
    assert.deepEqual(RequestParams.all(form, 'one'), ['x']);
    assert.deepEqual(RequestParams.all(form, 'none'), []);
    assert.deepEqual(RequestParams.all(undefined, 'scope'), []);
    assert.deepEqual(RequestParams.all({ scope: '' }, 'scope'), []);
  });
});
