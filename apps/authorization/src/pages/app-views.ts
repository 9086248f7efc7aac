import type { ClientView, PageFrame } from './views.js';

/** The app directory's pages (issue #16): what the endpoint hands the templates, already worded. */

/** A select's choices: value and label. */
export type Options = Array<{ value: string; label: string }>;

export interface AppsFrame extends PageFrame {
  adminName: string;
  csrf: string;
  signOutAction: string;
  notice?: string;
  error?: string;
}

export interface AppRow {
  client: ClientView;
  href: string;
  authMethod: string;
  trust: string;
  status: string;
  createdAt: string;
  /** RFC 3339, `never`, or undefined when unknown. */
  lastUsed?: string;
  liveGrants?: number;
  managedBy?: string;
}

export interface AppsListView extends AppsFrame {
  filters: { q: string; status: string; trust: string; grantType: string; launch: string };
  statuses: Options;
  trusts: Options;
  grantTypes: Options;
  rows: AppRow[];
  total: number;
  from: number;
  to: number;
  previous?: string;
  next?: string;
}

export interface MetadataField {
  label: string;
  values: string[];
  code?: boolean;
}

export interface AppEvent {
  type: string;
  occurredAt: string;
  actor?: string;
}

export interface AppDetailView extends AppsFrame {
  client: ClientView;
  base: string;
  status: string;
  fields: MetadataField[];
  approved: string[];
  pending: string[];
  rejected: string[];
  events?: AppEvent[];
  /** Why it cannot be changed here, for clients declared in configuration. */
  readOnly?: string;
  disabled: boolean;
  hasSecret: boolean;
  /** A secret just issued, shown this once. */
  secret?: string;
}

export interface AppFormView extends AppsFrame {
  action: string;
  submitLabel: string;
  cancelHref: string;
  isNew: boolean;
  values: Record<string, string>;
  authMethods: Options;
  grantTypes: Array<{ value: string; label: string; checked: boolean }>;
}

export interface AppRegisteredView extends AppsFrame {
  detailHref: string;
  fields: MetadataField[];
}
