import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { safeLink } from './page-kit.js';

describe('safeLink (consent and launcher: the app’s logo, home page, terms and policy)', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    ['https://app.example/terms', 'https://app.example/terms'],
    ['https://app.example/a b', 'https://app.example/a%20b'],
    ['http://127.0.0.1:8080/tos', 'http://127.0.0.1:8080/tos'],
    ['http://localhost/privacy', 'http://localhost/privacy'],
    ['http://[::1]:3000/', 'http://[::1]:3000/'],
    ['http://app.example/terms', undefined],
    ['javascript:alert(1)', undefined],
    ['data:text/html,<script>alert(1)</script>', undefined],
    ['https://user:pw@app.example/', undefined],
    ['//app.example/terms', undefined],
    ['not a url', undefined],
    [`https://app.example/${'a'.repeat(2100)}`, undefined],
    [undefined, undefined],
  ];
  for (const [uri, expected] of cases) it(`${String(uri).slice(0, 60)} → ${String(expected)}`, () => assert.equal(safeLink(uri), expected));
});
