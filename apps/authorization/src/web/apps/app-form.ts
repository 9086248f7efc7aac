import type { AdminClientDetail, WebRequest } from '#contracts';
import type { Options } from '../../pages/app-views.js';

/** The grant types the form offers (SMART, RFC 6749, RFC 7523). */
export const FORM_GRANT_TYPES: Options = [
  { value: 'authorization_code', label: 'Authorization code (apps people sign in to)' },
  { value: 'refresh_token', label: 'Refresh token' },
  { value: 'client_credentials', label: 'Client credentials (backend services)' },
  { value: 'urn:ietf:params:oauth:grant-type:jwt-bearer', label: 'JWT bearer (acting for a user)' },
];

export const FORM_AUTH_METHODS: Options = [
  { value: 'none', label: 'None (public app, PKCE)' },
  { value: 'client_secret_basic', label: 'Client secret (HTTP Basic)' },
  { value: 'client_secret_post', label: 'Client secret (form post)' },
  { value: 'private_key_jwt', label: 'Private key JWT (asymmetric)' },
];

/** Single-line text fields of the form, each an RFC 7591 / SMART metadata member of the same name. */
const TEXT_FIELDS = ['client_name', 'scope', 'launch_uri', 'client_uri', 'logo_uri', 'tos_uri', 'policy_uri', 'jwks_uri'] as const;
/** Members the form edits; an edit keeps every other registered member as it is. */
const FORM_MEMBERS = [...TEXT_FIELDS, 'token_endpoint_auth_method', 'grant_types', 'redirect_uris', 'contacts', 'response_types'];
/** What the directory adds to a client's metadata; never sent back in an update. */
const VIEW_MEMBERS = [
  'client_id_issued_at', 'managed', 'managed_by', 'created_at', 'updated_at', 'status', 'approval_status', 'disabled_at', 'trust', 'software_statement_issuer', 'udap',
  'privileges_approved', 'privileges_pending', 'privileges_rejected', 'last_used_at', 'live_grants', 'key_ids', 'jwks_uri_error', 'recent_events',
];

function values(req: WebRequest, name: string): string[] {
  const value = req.form?.[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function one(req: WebRequest, name: string): string {
  return (values(req, name)[0] ?? '').trim();
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
}

/** The form as submitted, for showing it again after an error. */
export function formValues(req: WebRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...TEXT_FIELDS, 'client_id', 'token_endpoint_auth_method', 'redirect_uris', 'contacts', 'public_key']) out[name] = values(req, name)[0] ?? '';
  out.grant_types = values(req, 'grant_types').join(' ');
  return out;
}

/** A registered client as the form's values. */
export function valuesOf(client: AdminClientDetail): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TEXT_FIELDS) out[name] = client[name] ?? '';
  out.token_endpoint_auth_method = client.token_endpoint_auth_method;
  out.grant_types = client.grant_types.join(' ');
  out.redirect_uris = client.redirect_uris.join('\n');
  out.contacts = (client.contacts ?? []).join('\n');
  return out;
}

/** The checkboxes of the grant types, ticked as `current` (space-separated) says. */
export function grantChoices(current: string): Array<{ value: string; label: string; checked: boolean }> {
  const ticked = new Set(current.split(' ').filter(Boolean));
  return FORM_GRANT_TYPES.map((g) => ({ ...g, checked: ticked.has(g.value) }));
}

/**
 * The submitted form as RFC 7591 metadata over `base` (an edit's current
 * metadata: members the form does not show are kept; those it shows and left
 * empty are deleted, as RFC 7592 §2.2 deletes omitted fields).
 */
export function metadataOf(req: WebRequest, base: Record<string, unknown> = {}): { metadata: Record<string, unknown>; publicKey?: string } {
  const metadata: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(base)) if (!FORM_MEMBERS.includes(name) && !VIEW_MEMBERS.includes(name)) metadata[name] = value;
  for (const name of TEXT_FIELDS) if (one(req, name)) metadata[name] = one(req, name);
  const clientId = one(req, 'client_id');
  if (clientId && base.client_id === undefined) metadata.client_id = clientId;
  metadata.token_endpoint_auth_method = one(req, 'token_endpoint_auth_method') || 'none';
  metadata.grant_types = values(req, 'grant_types');
  const redirects = lines(values(req, 'redirect_uris')[0] ?? '');
  if (redirects.length > 0) metadata.redirect_uris = redirects;
  const contacts = lines(values(req, 'contacts')[0] ?? '');
  if (contacts.length > 0) metadata.contacts = contacts;
  const publicKey = (values(req, 'public_key')[0] ?? '').trim();
  // A pasted key replaces the registered keys.
  if (publicKey) delete metadata.jwks;
  return { metadata, ...(publicKey ? { publicKey } : {}) };
}
