import { Injectable, Logger } from '@nestjs/common';
import type { WebResponse } from '#contracts';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { DEFAULT_SMART_STYLE, parseSmartStyle, themeCss, type SmartStyle } from '../pages/smart-style.js';
import { PageRenderer } from '../pages/page-renderer.js';

/** The pages' stylesheets and the SMART style document (`smart_style_url`). */
@Injectable()
export class AssetsEndpoint {
  private readonly style: SmartStyle;
  private readonly suiteCss: string;
  private readonly themeCss: string;

  constructor(config: AuthorizationConfig, renderer: PageRenderer) {
    let style: SmartStyle = { ...DEFAULT_SMART_STYLE };
    if (config.SMART_STYLE_JSON) {
      try {
        style = parseSmartStyle(JSON.parse(config.SMART_STYLE_JSON));
      } catch {
        new Logger('Assets').warn('SMART_STYLE_JSON is not valid JSON; the default style is used');
      }
    }
    this.style = style;
    this.suiteCss = renderer.assets().get('suite.css') ?? '';
    this.themeCss = themeCss(style);
  }

  suite(): WebResponse {
    return css(this.suiteCss);
  }

  theme(): WebResponse {
    return css(this.themeCss);
  }

  /** SMART App Launch 2.x §"Styling": the JSON behind `smart_style_url`. */
  smartStyle(): WebResponse {
    return {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' },
      body: JSON.stringify(this.style),
    };
  }
}

function css(body: string): WebResponse {
  return { status: 200, headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }, body };
}
