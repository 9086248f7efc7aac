/**
 * What each page of the authorization service shows. The interaction
 * controller builds these; the page renderer turns them into HTML through
 * the templates. Form field names are part of the contract with the
 * controller (and with the browser tests): they are listed on each view.
 */

/** The application asking for access, as the pages show it. */
export interface ClientView {
  clientId: string;
  /** `client_name`, or the client id when the client registered no name. */
  name: string;
  /** Only a `data:` image URI is shown (pages load no third-party resources); otherwise a monogram. */
  logoDataUri?: string;
  /**
   * An https `logo_uri`: shown only on the consent and launcher pages, whose
   * CSP allows `img-src https:` (docs/conformance.md), without a referrer.
   */
  logoUri?: string;
  /** `client_uri`, shown as text with the name. */
  homepage?: string;
  /** The app's own pages (home page, terms of service, privacy policy), vetted https (or loopback http) URLs, shown as links. */
  links?: ClientLink[];
}

export interface ClientLink {
  label: string;
  href: string;
}

/** The EHR launcher (issue #16): the apps a practitioner may launch for one patient. */
export interface LauncherView extends PageFrame {
  userName: string;
  /** The patient as the practitioner's list names them, else `Patient <id>`. */
  patientName: string;
  encounter?: string;
  /** `POST /launcher` with fields `ticket` and `client_id` (the button). */
  action: string;
  ticket: string;
  apps: ClientView[];
}

/** Shared by every page. */
export interface PageFrame {
  /** `<title>` and main heading. */
  title: string;
  /** Stylesheets served by the suite, e.g. `/assets/suite.css` and `/assets/theme.css`. */
  stylesheets: string[];
}

/** Shared by the pages of an interaction (login, patient picker, consent): one form, posted to `action` with `csrf`, for `client`. */
export interface InteractionFormView extends PageFrame {
  action: string;
  csrf: string;
  client: ClientView;
}

/**
 * Login page. Form: `POST {action}` with fields `csrf`, `username`, `password`;
 * submit button text "Sign in".
 */
export interface LoginView extends InteractionFormView {
  /** Pre-filled username after a failed attempt. */
  username?: string;
  /** One generic message (no user enumeration): wrong credentials, or too many attempts. */
  error?: string;
  /** Where to go after signing in (a page under the sign-in's own path), sent back as a hidden field. */
  returnTo?: string;
}

export interface PatientChoice {
  /** FHIR Patient id; the radio value. */
  id: string;
  name: string;
  birthDate?: string;
}

/**
 * Patient picker. Form: `POST {action}` with `csrf` and a radio group
 * `patient` (values are patient ids); submit button text "Continue".
 */
export interface PickerView extends InteractionFormView {
  /** Display name of the signed-in practitioner. */
  userName: string;
  patients: PatientChoice[];
  error?: string;
}

export interface ScopeChoice {
  /** The scope exactly as requested; the checkbox value. */
  scope: string;
  /** Plain-words description (see describeScope). */
  title: string;
  detail?: string;
  /** Mandatory scopes cannot be unticked: rendered checked and disabled, plus a hidden input so they are submitted. */
  mandatory: boolean;
  /**
   * Narrower scopes that may be granted instead (category sub-scopes of a
   * whole resource type, SC-04): rendered under it, unticked; the person
   * unticks the whole type and ticks the categories to share.
   */
  alternatives?: ScopeChoice[];
}

/**
 * Consent page. Form: `POST {action}` with `csrf`, checkboxes named `scope`
 * (checked by default), and two submit buttons named `decision`: value
 * `approve` (text "Allow") and value `deny` (text "Deny").
 */
export interface ConsentView extends InteractionFormView {
  userName: string;
  /** The patient in context, when there is one ("Access to the record of …"). */
  patientName?: string;
  scopes: ScopeChoice[];
}

/** An error that cannot be sent back to the client (unknown client, unregistered redirect URI, expired page). */
export interface ErrorView extends PageFrame {
  /** OAuth error code shown small, e.g. `invalid_request`. */
  code: string;
  description: string;
}

/**
 * RP-initiated logout confirmation (shown when the request carries no valid
 * `id_token_hint`). Form: `POST {action}` with `csrf` and the hidden fields
 * in `hidden`; submit button text "Sign out".
 */
export interface LogoutView extends PageFrame {
  action: string;
  csrf: string;
  hidden: Record<string, string>;
  client?: ClientView;
}

/** "You are signed out" (logout without a post-logout redirect). */
export interface SignedOutView extends PageFrame {
  message: string;
}

/** One live grant on the administration page. */
export interface AdminGrantRow {
  clientName: string;
  userName: string;
  patient?: string;
  scope: string;
  /** RFC 3339. */
  createdAt: string;
  lastUsedAt?: string;
  /** `POST` target revoking it. */
  revokeAction: string;
}

/**
 * Grant administration (behind an administrator's login). Each row has a
 * form `POST {revokeAction}` with `csrf` and a "Revoke" button; a
 * "Sign out" form posts to `signOutAction`.
 */
export interface AdminGrantsView extends PageFrame {
  adminName: string;
  csrf: string;
  grants: AdminGrantRow[];
  signOutAction: string;
  notice?: string;
}

/** One live grant of the signed-in person on their account page. */
export interface AccountGrantRow {
  clientName: string;
  /** The patient's name (or id) when the grant is for one patient. */
  patient?: string;
  /** What the application may do, in plain words (one line per scope). */
  access: string[];
  /** The granted scopes, as shown in small print. */
  scope: string;
  /** RFC 3339. */
  createdAt: string;
  lastUsedAt?: string;
  /** `POST` target taking the access back. */
  revokeAction: string;
}

/**
 * A person's own grants (SMART `management_endpoint`, `/account`). Each row
 * has a form `POST {revokeAction}` with `csrf` and a "Take back access"
 * button; a "Sign out" form posts to `signOutAction`.
 */
export interface AccountGrantsView extends PageFrame {
  userName: string;
  csrf: string;
  grants: AccountGrantRow[];
  signOutAction: string;
  notice?: string;
}
