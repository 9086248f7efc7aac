import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forbiddenCharactersIn, hasForbiddenCharacters, hasForbiddenEncodedCharacters } from './text-characters.js';

describe('hasForbiddenCharacters', () => {
  const refused: Array<[string, string]> = [
    ['NUL', 'a\u0000b'],
    ['SOH', '\u0001'],
    ['TAB', 'a\tb'],
    ['LF', 'a\nb'],
    ['CR', 'a\rb'],
    ['US', '\u001f'],
    ['DEL', 'a\u007f'],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone high surrogate at the end', 'a\udbff'],
    ['a lone low surrogate', '\udc00b'],
    ['two high surrogates', '\ud800\ud800\udc00'],
  ];
  for (const [name, value] of refused) it(`refuses ${name}`, () => assert.equal(hasForbiddenCharacters(value), true));
  const accepted: Array<[string, string]> = [
    ['ASCII', 'client_credentials'],
    ['space', 'openid fhirUser'],
    ['Latin-1 and C1-free Unicode', 'Zoë ☃ 患者'],
    ['a surrogate pair', 'a😀b'],
    ['U+FFFD', '\ufffd'],
    ['empty', ''],
  ];
  for (const [name, value] of accepted) it(`accepts ${name}`, () => assert.equal(hasForbiddenCharacters(value), false));
});

describe('hasForbiddenEncodedCharacters', () => {
  const cases: Array<[string, boolean]> = [
    ['state=x%00y', true],
    ['state=x%1Fy', true],
    ['state=x%1fy', true],
    ['state=x%7Fy', true],
    ['state=x%0ay', true],
    ['state=x\u0000y', true],
    ['x%00=1', true],
    ['state=x%20y+z', false],
    ['state=%E2%9C%93', false],
    ['state=%ED%A0%80', false],
    ['state=%25001', false],
    ['state=%2000', false],
    ['state=%zz', false],
  ];
  for (const [text, expected] of cases) {
    it(`${expected ? 'refuses' : 'accepts'} ${JSON.stringify(text)}`, () => {
      assert.equal(hasForbiddenEncodedCharacters(text), expected);
      // It agrees with decoding first.
      const decoded = [...new URLSearchParams(text)].flat().join('');
      assert.equal(hasForbiddenCharacters(decoded), expected);
    });
  }
});

describe('forbiddenCharactersIn', () => {
  it('names the first bad string, member names included', () => {
    assert.equal(forbiddenCharactersIn({ client_name: 'ok', jwks: { keys: [{ kid: 'a\u0000' }] } }), '$.jwks.keys[0].kid');
    assert.equal(forbiddenCharactersIn({ ['a\u0001']: 1 }), '$ (a member name)');
    assert.equal(forbiddenCharactersIn(['x', '\ud800']), '$[1]');
    assert.equal(forbiddenCharactersIn('\u007f'), '$');
  });
  it('accepts clean values of every type', () => {
    assert.equal(forbiddenCharactersIn({ a: [1, true, null, 'x', { b: 'ü😀' }] }), undefined);
    assert.equal(forbiddenCharactersIn(undefined), undefined);
  });
});
