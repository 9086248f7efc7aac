// The test renderer (support/go-template.ts, support/helm.ts) against what Go's text/template and
// Sprig print for the same input, one case per behaviour the chart relies on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execute, parseTemplate, type GoFunction, type GoValue } from './support/go-template.js';
import { coalesce } from './support/helm.js';

function render(src: string, data: GoValue, funcs: Record<string, GoFunction> = {}): string {
  const env = { funcs: { and: () => null, or: () => null, not: (v: GoValue) => !v, eq: (a: GoValue, b: GoValue) => a === b, ...funcs }, templates: new Map() };
  return execute(parseTemplate(src, env), data, env);
}

describe('Go template engine (test renderer)', () => {
  it('renders as text/template does', () => {
    const cases: Array<[string, GoValue, string]> = [
      ['a {{- .x -}} b', { x: 1 }, 'a1b'],
      ['a {{ .x }} b', { x: 'y' }, 'a y b'],
      ['{{/* comment */}}x{{- /* trimmed */ -}} y', {}, 'xy'],
      ['{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}', { m: { b: 2, a: 1 } }, 'a=1;b=2;'],
      ['{{ range .l }}[{{ . }}]{{ else }}none{{ end }}', { l: [] }, 'none'],
      ['{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}', { a: false, b: 'x' }, 'B'],
      ['{{ with .m }}{{ .k }}{{ end }}', { m: { k: 'v' } }, 'v'],
      ['{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}', {}, '2'],
      ['{{ .n }} {{ .f }} {{ .big }} {{ .small }}', { n: 9464, f: 1.5, big: 2592000, small: 0.00001 }, '9464 1.5 2.592e+06 1e-05'],
      ['{{ and .a .b }}|{{ or .a .b }}', { a: 'x', b: '' }, '|x'],
      ['{{ define "t" }}<{{ . }}>{{ end }}{{ template "t" .v }}', { v: 'w' }, '<w>'],
    ];
    for (const [src, data, expected] of cases) assert.equal(render(src, data), expected, src);
  });

  it('fails where Go fails: a field of nil, an unknown function, an unclosed block', () => {
    assert.throws(() => render('{{ .a.b }}', {}), /nil pointer evaluating interface \{\}\.b/);
    assert.throws(() => render('{{ nofunc .a }}', {}), /function "nofunc" not defined/);
    assert.throws(() => render('{{ if .a }}x', { a: true }), /expected \{\{end\}\}/);
  });

  it('coalesces values as Helm does: maps merge, lists replace, null deletes', () => {
    assert.deepEqual(coalesce({ a: { b: 1, c: 2 }, l: [1, 2], d: { e: 1 } }, { a: { c: 3 }, l: [9], d: null }), { a: { b: 1, c: 3 }, l: [9] });
  });
});
