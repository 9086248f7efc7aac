import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SMART_STYLE, parseSmartStyle, themeCss, type SmartStyle } from './smart-style.js';

describe('parseSmartStyle', () => {
  it('falls back to the defaults for anything that is not an object', () => {
    for (const input of [undefined, null, 'red', 42, ['#fff']]) assert.deepEqual(parseSmartStyle(input), DEFAULT_SMART_STYLE);
  });

  it('keeps valid values', () => {
    const style: SmartStyle = {
      color_background: '#edeae3',
      color_error: '#9e2d2d',
      color_highlight: '#69b5ce',
      color_modal_backdrop: '#000',
      color_success: '#498E49',
      color_text: '#303030',
      dim_border_radius: '6px',
      dim_font_size: '1rem',
      dim_spacing_size: '0.5em',
      font_family_body: "Georgia, Times, 'Times New Roman', serif",
      font_family_heading: '"HelveticaNeue-Light", Helvetica, Arial, "Lucida Grande", sans-serif',
    };
    assert.deepEqual(parseSmartStyle({ ...style, unknown_key: 'x' }), style);
  });

  // [property, rejected value]: each falls back to the default on its own.
  const rejected: Array<[keyof SmartStyle, unknown]> = [
    ['color_text', 'red;}body{'],
    ['color_text', 'red'],
    ['color_text', '#12345'],
    ['color_text', '#1234567'],
    ['color_text', '#ggg'],
    ['color_text', ' #fff'],
    ['color_text', '#fff;'],
    ['color_text', 'rgb(0,0,0)'],
    ['color_text', 0xffffff],
    ['color_modal_backdrop', ''],
    ['color_background', '#fff}</style><script>'],
    ['dim_font_size', '12'],
    ['dim_font_size', '12pt'],
    ['dim_font_size', '-4px'],
    ['dim_font_size', '1e3px'],
    ['dim_font_size', 'calc(1px + 1px)'],
    ['dim_font_size', '4px;color:red'],
    ['dim_border_radius', 'var(--x)'],
    ['dim_spacing_size', '4px 4px'],
    ['font_family_body', 'Arial;}body{background:url(//evil)}'],
    ['font_family_body', 'Arial}'],
    ['font_family_body', '"Unclosed, serif'],
    ['font_family_body', "'Mixed\", serif"],
    ['font_family_body', 'Arial\nserif'],
    ['font_family_body', 'url(x)'],
    ['font_family_body', 'Comic Sans/*'],
    ['font_family_body', 'serif,'],
    ['font_family_body', 'a'.repeat(201)],
    ['font_family_heading', { toString: () => 'Arial' }],
  ];
  for (const [key, value] of rejected) {
    it(`rejects ${key} = ${JSON.stringify(value)}`, () => {
      const style = parseSmartStyle({ ...DEFAULT_SMART_STYLE, color_highlight: '#123456', [key]: value });
      assert.equal(style[key], DEFAULT_SMART_STYLE[key]);
      if (key !== 'color_highlight') assert.equal(style.color_highlight, '#123456');
    });
  }

  it('ignores inherited properties', () => {
    const proto = { color_text: '#123' };
    assert.equal(parseSmartStyle(Object.create(proto)).color_text, DEFAULT_SMART_STYLE.color_text);
  });

  it('does not share state with the defaults', () => {
    const style = parseSmartStyle({});
    style.color_text = '#000';
    assert.notEqual(DEFAULT_SMART_STYLE.color_text, '#000');
  });
});

describe('themeCss', () => {
  it('declares every style value as a --smart-* custom property on :root', () => {
    const css = themeCss(DEFAULT_SMART_STYLE);
    assert.match(css, /^:root \{\n/);
    assert.match(css, /\n\}\n$/);
    assert.ok(css.includes(`  --smart-color-background: ${DEFAULT_SMART_STYLE.color_background};\n`));
    assert.ok(css.includes(`  --smart-color-modal-backdrop: ${DEFAULT_SMART_STYLE.color_modal_backdrop};\n`));
    assert.ok(css.includes(`  --smart-dim-border-radius: ${DEFAULT_SMART_STYLE.dim_border_radius};\n`));
    assert.ok(css.includes(`  --smart-font-family-heading: ${DEFAULT_SMART_STYLE.font_family_heading};\n`));
    assert.equal(css.match(/--smart-[a-z-]+: /g)?.length, 11);
    assert.ok(css.includes('color-scheme: light;'));
  });

  it('declares a dark colour scheme for a dark background', () => {
    assert.ok(themeCss({ ...DEFAULT_SMART_STYLE, color_background: '#111' }).includes('color-scheme: dark;'));
  });

  it('validates again, so a hand-built style cannot inject CSS', () => {
    const css = themeCss({ ...DEFAULT_SMART_STYLE, color_text: 'red;}body{display:none', font_family_body: 'x}*{' });
    assert.ok(!css.includes('}body'));
    assert.ok(!css.includes('*{'));
    assert.ok(css.includes(`--smart-color-text: ${DEFAULT_SMART_STYLE.color_text};`));
    assert.equal(css.split('{').length, 2);
    assert.equal(css.split('}').length, 2);
  });
});
