import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type {
  AccountGrantsView,
  AdminGrantsView,
  ClientView,
  ConsentView,
  ErrorView,
  LauncherView,
  LoginView,
  LogoutView,
  PatientChoice,
  PickerView,
  SignedOutView,
} from './views.js';
import type { AppDetailView, AppFormView, AppRegisteredView, AppsListView } from './app-views.js';

/** Page templates, each compiled once under its `@name` (the `@` keeps eta from ever reading a file). */
const TEMPLATES = [
  'layout', 'client', 'login', 'picker', 'consent', 'error', 'logout', 'signed-out', 'admin-grants', 'account-grants',
  'apps-nav', 'apps-signout', 'admin-apps', 'admin-app', 'admin-app-form', 'admin-app-registered', 'launcher',
] as const;

/** Static files the suite serves under `/assets/`. */
export type PageAsset = 'suite.css';
const ASSETS: readonly PageAsset[] = ['suite.css'];

const DEFAULT_TEMPLATES_DIR = new URL('./templates/', import.meta.url);
const DEFAULT_ASSETS_DIR = new URL('./assets/', import.meta.url);

/** Number of monogram colour classes in suite.css (`client-monogram-0` …). */
const MONOGRAM_TONES = 6;

// Images embedded in the page are shown everywhere (CSP `img-src 'self' data:`); an https logo only where the page allows it (the view says).
const DATA_IMAGE_URI = /^data:image\/[a-z0-9.+-]+(?:;[a-z0-9.+=-]+)*,/i;
const HTTPS_IMAGE_URI = /^https:\/\/[^\s"'<>]+$/;
const HTTP_LINK = /^https?:\/\/[^\s"'<>]+$/;

/** The client as the templates use it: a vetted logo, or a monogram. */
interface ClientModel {
  clientId: string;
  name: string;
  homepage?: string;
  logo?: string;
  links: Array<{ label: string; href: string }>;
  monogram: string;
  tone: number;
}

export interface PageRendererOptions {
  /** Folder holding the `*.eta` templates; defaults to `templates/` next to this module. */
  templatesDir?: string | URL;
  /** Folder holding `suite.css`; defaults to `assets/` next to this module. */
  assetsDir?: string | URL;
}

/**
 * Renders the pages of the authorization flow to HTML. Templates and assets
 * are read and compiled once by {@link PageRenderer.create}; rendering does no
 * I/O. Every value from a view is HTML-escaped (eta `autoEscape`); the pages
 * contain no script and no inline style, so they work under the suite's
 * `default-src 'none'; style-src 'self'; img-src 'self' data:` policy.
 */
export class PageRenderer {
  private static readonly assetCache = new Map<PageAsset, string>();

  private constructor(
    private readonly eta: Eta,
    private readonly assetTexts: ReadonlyMap<PageAsset, string>,
  ) {}

  static async create(options: PageRendererOptions = {}): Promise<PageRenderer> {
    const templatesDir = toPath(options.templatesDir ?? DEFAULT_TEMPLATES_DIR);
    const assetsDir = toPath(options.assetsDir ?? DEFAULT_ASSETS_DIR);
    const eta = new Eta({ autoEscape: true, autoFilter: false, cache: true, useWith: false, varName: 'it' });
    const sources = await Promise.all(TEMPLATES.map((name) => readFile(join(templatesDir, `${name}.eta`), 'utf8')));
    TEMPLATES.forEach((name, index) => eta.loadTemplate(`@${name}`, sources[index]!));
    const assets = await Promise.all(ASSETS.map(async (name) => [name, await readFile(join(assetsDir, name), 'utf8')] as const));
    return new PageRenderer(eta, new Map(assets));
  }

  /**
   * The text of a static asset from `assets/` next to this module, for
   * serving `/assets/suite.css` without a renderer instance. Read once.
   */
  static asset(name: PageAsset): string {
    let text = PageRenderer.assetCache.get(name);
    if (text === undefined) {
      if (!ASSETS.includes(name)) throw new Error(`Unknown page asset: ${String(name)}`);
      text = readFileSync(new URL(name, DEFAULT_ASSETS_DIR), 'utf8');
      PageRenderer.assetCache.set(name, text);
    }
    return text;
  }

  /** The static assets loaded at creation, by file name (`suite.css`). */
  assets(): ReadonlyMap<PageAsset, string> {
    return this.assetTexts;
  }

  login(view: LoginView): string {
    return this.render('login', { ...view, client: presentClient(view.client) });
  }

  picker(view: PickerView): string {
    return this.render('picker', { ...view, client: presentClient(view.client), patients: view.patients.map(presentPatient) });
  }

  consent(view: ConsentView): string {
    return this.render('consent', { ...view, client: presentClient(view.client) });
  }

  error(view: ErrorView): string {
    return this.render('error', { ...view, client: undefined });
  }

  logout(view: LogoutView): string {
    // `csrf` is always the view's own token, never a pass-through field.
    const hiddenFields = Object.entries(view.hidden).filter(([name]) => name !== 'csrf');
    return this.render('logout', {
      ...view,
      client: view.client && presentClient(view.client),
      hiddenFields,
    });
  }

  adminGrants(view: AdminGrantsView): string {
    return this.render('admin-grants', { ...view, client: undefined });
  }

  accountGrants(view: AccountGrantsView): string {
    return this.render('account-grants', { ...view, client: undefined });
  }

  /** The app directory (issue #16): the list, one app, the register / edit form, a registration's one-time secrets. */
  adminApps(view: AppsListView): string {
    return this.render('admin-apps', { ...view, rows: view.rows.map((r) => ({ ...r, client: presentClient(r.client) })), client: undefined });
  }

  adminApp(view: AppDetailView): string {
    return this.render('admin-app', { ...view, client: presentClient(view.client) });
  }

  adminAppForm(view: AppFormView): string {
    return this.render('admin-app-form', { ...view, client: undefined });
  }

  adminAppRegistered(view: AppRegisteredView): string {
    return this.render('admin-app-registered', { ...view, client: undefined });
  }

  /** The EHR launcher (issue #16). */
  launcher(view: LauncherView): string {
    return this.render('launcher', { ...view, apps: view.apps.map(presentClient), client: undefined });
  }

  signedOut(view: SignedOutView): string {
    return this.render('signed-out', { ...view, client: undefined });
  }

  private render(template: (typeof TEMPLATES)[number], model: object): string {
    return this.eta.render(`@${template}`, model);
  }
}

function toPath(dir: string | URL): string {
  return dir instanceof URL ? fileURLToPath(dir) : dir;
}

function presentClient(client: ClientView): ClientModel {
  const name = client.name.trim() || client.clientId;
  const links = (client.links ?? []).filter((l) => HTTP_LINK.test(l.href));
  return {
    clientId: client.clientId,
    name,
    // With links, the home page is one of them.
    homepage: links.length > 0 ? undefined : client.homepage,
    logo: client.logoDataUri && DATA_IMAGE_URI.test(client.logoDataUri) ? client.logoDataUri : client.logoUri && HTTPS_IMAGE_URI.test(client.logoUri) ? client.logoUri : undefined,
    links,
    monogram: (Array.from(name)[0] ?? '?').toLocaleUpperCase('en'),
    tone: tone(client.clientId),
  };
}

/** A stable colour for a client's monogram, derived from its id. */
function tone(clientId: string): number {
  let hash = 0;
  for (const char of clientId) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return hash % MONOGRAM_TONES;
}

const BIRTH_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** FHIR `date` (YYYY, YYYY-MM or YYYY-MM-DD) in words, so it cannot be misread: "12 March 1970". */
function presentPatient(patient: PatientChoice): PatientChoice & { birthDateText?: string } {
  if (!patient.birthDate) return patient;
  const match = BIRTH_DATE.exec(patient.birthDate);
  if (!match) return { ...patient, birthDateText: patient.birthDate };
  const [, year, month, day] = match;
  const date = new Date(Date.UTC(2000, Number(month ?? 1) - 1, Number(day ?? 1)));
  date.setUTCFullYear(Number(year)); // Date.UTC maps years 0-99 to 1900-1999
  if (Number.isNaN(date.getTime()) || date.getUTCMonth() !== Number(month ?? 1) - 1) {
    return { ...patient, birthDateText: patient.birthDate };
  }
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    year: 'numeric',
    month: month ? 'long' : undefined,
    day: day ? 'numeric' : undefined,
  });
  return { ...patient, birthDateText: format.format(date) };
}
