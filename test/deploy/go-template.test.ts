// The test renderer (support/go-template.ts) against Go's own text/template (compiled to WebAssembly,
// @evertdespiegeleer/go-template), which takes no extra functions and so cannot render the chart:
// every construct the chart relies on must print the same in both. The Sprig functions have their
// own cases, with what Sprig prints.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as goExecute } from '@evertdespiegeleer/go-template';
import { execute, parseTemplate, type GoValue } from './support/go-template.js';
import { coalesce, sprig } from './support/helm.js';

function render(src: string, data: GoValue): string {
  const env = { funcs: sprig(() => ''), templates: new Map() };
  return execute(parseTemplate(src, env), data, env);
}

/** Data as Go's engine sees JSON: every number a float64 (the WebAssembly bridge passes JSON, as Helm's values are). */
const DATA = { x: 1, s: 'y', m: { b: 2, a: 1 }, l: [], items: ['p', 'q'], t: false, u: 'x', big: 2592000, f: 1.5, small: 0.00001, nested: { k: 'v' }, quote: 'say "hi" \\ é' };

describe('Go template engine (test renderer) against Go\'s text/template', () => {
  const same: string[] = [
    'a {{- .x -}} b',
    'a {{ .s }} b',
    '{{/* comment */}}x{{- /* trimmed */ -}} y',
    '{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}',
    '{{ range .l }}[{{ . }}]{{ else }}none{{ end }}',
    '{{ range $i, $e := .items }}{{ $i }}:{{ $e }} {{ end }}',
    '{{ if .t }}A{{ else if .u }}B{{ else }}C{{ end }}',
    '{{ with .nested }}{{ .k }}{{ end }}{{ with .l }}no{{ else }}empty{{ end }}',
    '{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}',
    '{{ .x }} {{ .f }} {{ .big }} {{ .small }}',
    '{{ and .u .s }}|{{ or .t .u }}|{{ and .t .nosuch.key }}|{{ not .l }}',
    '{{ define "t" }}<{{ . }}>{{ end }}{{ template "t" .s }}',
    '{{ printf "%q" .quote }} {{ printf "%s-%d" .s 7 }} {{ printf "%v" .m }}',
    '{{ len .items }} {{ index .items 1 }} {{ index .m "b" }} {{ eq .s "y" }} {{ ne .s "y" }} {{ eq .s "n" "y" }}',
    '{{ print .s 1 }} {{ print 1 2 }} {{ .items }}',
    '{{ (index .m "a") }} {{ (.nested).k }}',
    // Prometheus templates in a chart: braces inside strings do not end the action.
    'a {{ "{{ $labels.x }}" }} {{`{{ $value }}`}} {{- " }} \\" }}" }}',
  ];
  for (const src of same) {
    it(`prints what Go prints: ${src}`, async () => {
      assert.equal(render(src, DATA), await goExecute(src, DATA));
    });
  }

  it('fails where Go fails: a field of nil, an unknown function, an unclosed block', async () => {
    assert.throws(() => render('{{ .a.b }}', { a: null }), /nil pointer evaluating interface \{\}\.b/);
    await assert.rejects(goExecute('{{ .a.b }}', { a: null }), /nil pointer evaluating interface \{\}\.b/);
    assert.throws(() => render('{{ nofunc .a }}', {}), /function "nofunc" not defined/);
    await assert.rejects(goExecute('{{ nofunc .a }}', {}), /function "nofunc" not defined/);
    assert.throws(() => render('{{ if .a }}x', { a: true }), /expected \{\{end\}\}/);
  });

  it('the Sprig functions print what Sprig prints', () => {
    const cases: Array<[string, GoValue, string]> = [
      ['{{ .n | quote }} {{ .n | int64 | quote }} {{ .b | toString }}', { n: 2592000, b: true }, '"2.592e+06" "2592000" true'],
      ['{{ default "d" .e }} {{ default "d" .v }} {{ empty .e }} {{ ternary "a" "b" true }}', { e: '', v: 'v' }, 'd v true a'],
      ['{{ toYaml .m | nindent 2 }}', { m: { b: [1, 'x'], a: 'true' } }, '\n  a: "true"\n  b:\n  - 1\n  - x'],
      ['{{ dict "z" 1 "a" (list 1 "<b>") | toJson }}', {}, '{"a":[1,"\\u003cb\\u003e"],"z":1}'],
      ['{{ "x" | sha256sum }}', {}, '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881'],
      ['{{ required "needed" .v }}', { v: 'here' }, 'here'],
    ];
    for (const [src, data, expected] of cases) assert.equal(render(src, data), expected, src);
    assert.throws(() => render('{{ required "needed" .v }}', { v: '' }), /^Error: needed$/);
    assert.throws(() => render('{{ ternary "a" "b" .s }}', { s: 'x' }), /expected bool/);
  });

  it('coalesces values as Helm does: maps merge, lists replace, null deletes', () => {
    assert.deepEqual(coalesce({ a: { b: 1, c: 2 }, l: [1, 2], d: { e: 1 } }, { a: { c: 3 }, l: [9], d: null }), { a: { b: 1, c: 3 }, l: [9] });
  });
});
