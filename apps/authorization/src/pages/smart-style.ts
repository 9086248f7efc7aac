/**
 * SMART App Launch "styling" (SMART App Launch 2.x §"Styles"): the JSON
 * document behind the `smart_style_url` launch parameter, and the same
 * values as CSS custom properties for the suite's own pages
 * (`/assets/theme.css`, consumed by `assets/suite.css`).
 */

/** The style properties defined by SMART App Launch; every value is a CSS-safe string. */
export interface SmartStyle {
  color_background: string;
  color_error: string;
  color_highlight: string;
  color_modal_backdrop: string;
  color_success: string;
  color_text: string;
  dim_border_radius: string;
  dim_font_size: string;
  dim_spacing_size: string;
  font_family_body: string;
  font_family_heading: string;
}

const SYSTEM_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** A calm clinical palette; every text/background pair meets WCAG AA (4.5:1). */
export const DEFAULT_SMART_STYLE: Readonly<SmartStyle> = Object.freeze({
  color_background: '#f3f6f9',
  color_error: '#b3261e',
  color_highlight: '#0b6a8f',
  color_modal_backdrop: '#0f1b24',
  color_success: '#1d7348',
  color_text: '#1c2b36',
  dim_border_radius: '10px',
  dim_font_size: '16px',
  dim_spacing_size: '16px',
  font_family_body: SYSTEM_FONTS,
  font_family_heading: SYSTEM_FONTS,
});

const COLOR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const DIMENSION = /^(?:\d{1,4}|\d{0,4}\.\d{1,4})(?:px|rem|em)$/;
// A comma-separated list of family names, each bare or in balanced quotes.
const FAMILY = String.raw`(?:[A-Za-z0-9][A-Za-z0-9 -]*|"[A-Za-z0-9 -]+"|'[A-Za-z0-9 -]+')`;
const FONT_FAMILY = new RegExp(String.raw`^-?${FAMILY}(?: *, *-?${FAMILY})*$`);
const MAX_FONT_FAMILY_LENGTH = 200;

const VALIDATORS: Readonly<Record<keyof SmartStyle, (value: string) => boolean>> = {
  color_background: isColor,
  color_error: isColor,
  color_highlight: isColor,
  color_modal_backdrop: isColor,
  color_success: isColor,
  color_text: isColor,
  dim_border_radius: isDimension,
  dim_font_size: isDimension,
  dim_spacing_size: isDimension,
  font_family_body: isFontFamily,
  font_family_heading: isFontFamily,
};

const STYLE_KEYS = Object.keys(VALIDATORS) as (keyof SmartStyle)[];

function isColor(value: string): boolean {
  return COLOR.test(value);
}

function isDimension(value: string): boolean {
  return DIMENSION.test(value);
}

function isFontFamily(value: string): boolean {
  return value.length <= MAX_FONT_FAMILY_LENGTH && FONT_FAMILY.test(value);
}

/**
 * Reads a styling document (parsed JSON, e.g. from configuration). Each
 * property is checked on its own: a colour must be `#rgb`/`#rrggbb`, a
 * dimension a number in `px`, `rem` or `em`, a font family a list of plain
 * names. Anything else (missing, wrong type, or anything that could break out
 * of a CSS declaration) takes the default value.
 */
export function parseSmartStyle(json: unknown): SmartStyle {
  const source: Record<string, unknown> = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const style = { ...DEFAULT_SMART_STYLE };
  for (const key of STYLE_KEYS) {
    const value = Object.hasOwn(source, key) ? source[key] : undefined;
    if (typeof value === 'string' && VALIDATORS[key](value)) style[key] = value;
  }
  return style;
}

/** The CSS custom property for a style key: `color_background` → `--smart-color-background`. */
export function smartStyleProperty(key: keyof SmartStyle): string {
  return `--smart-${key.replaceAll('_', '-')}`;
}

/**
 * The stylesheet served as `/assets/theme.css`: every style value as a
 * `--smart-*` custom property on `:root`. Values are validated again here, so
 * a hand-built `SmartStyle` cannot inject CSS either. Linked after
 * `suite.css`, it fixes the page to this palette (the suite's own dark
 * palette for `prefers-color-scheme: dark` applies only without it).
 */
export function themeCss(style: SmartStyle): string {
  const safe = parseSmartStyle(style);
  const declarations = STYLE_KEYS.map((key) => `  ${smartStyleProperty(key)}: ${safe[key]};`);
  const scheme = luminance(safe.color_background) < 0.4 ? 'dark' : 'light';
  return `:root {\n  color-scheme: ${scheme};\n${declarations.join('\n')}\n}\n`;
}

/** WCAG 2.x relative luminance of a validated `#rgb`/`#rrggbb` colour. */
function luminance(color: string): number {
  const hex = color.length === 4 ? [...color.slice(1)].map((c) => c + c).join('') : color.slice(1);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const channel = parseInt(hex.slice(i, i + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
