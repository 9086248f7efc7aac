import { PAGE_SIZE_FLAG, queryOf, queryOptions, type Command, type QueryFlag } from '../command.js';
import { fields, table, type Row } from '../output.js';

export interface Verification {
  valid: boolean;
  checked: number;
  first_break?: Record<string, unknown>;
}

/** The verification report for a person: one line when intact, the first bad row otherwise. */
export function verificationText(report: Verification): string {
  return report.valid
    ? `audit chain intact: ${report.checked} event(s) checked\n`
    : `AUDIT CHAIN BROKEN after ${report.checked} event(s); first bad row:\n${fields(Object.entries(report.first_break ?? {}))}`;
}

const verify: Command = {
  group: 'audit',
  name: 'verify',
  summary: 'check the hash chain of the audit trail (GET /admin/audit/verify); exit code 1 if it is broken',
  args: [],
  options: {},
  async run({ deployment, out }) {
    const report = await deployment.api<Verification>('/admin/audit/verify');
    out.result(report, () => verificationText(report));
    return report.valid ? 0 : 1;
  },
};

/** The flags of a listing paged by sequence number: `--after <seq>` and `--limit <n>`. */
function afterPaging(things: string): QueryFlag[] {
  return [['after', 'after', '<seq>', `${things} after this sequence number (paging)`], PAGE_SIZE_FLAG];
}

/** The hint to the next page of a listing paged by `--after <seq>`: after the last row shown. */
function nextPageHint(next: string | undefined, rows: ReadonlyArray<{ seq: number }>): string {
  return next ? `more: --after ${rows[rows.length - 1]!.seq}\n` : '';
}

/** Flag → query parameter of GET /admin/audit. */
const FILTERS: readonly QueryFlag[] = [
  ['client', 'client_id', '<client_id>', 'events of this client'],
  ['user', 'user_id', '<user_id>', 'events of this person'],
  ['patient', 'patient', '<id>', 'events in this patient context'],
  ['type', 'type', '<type>', 'one event type, e.g. token.issued, grant.revoked'],
  ['from', 'from', '<time>', 'RFC 3339, inclusive'],
  ['to', 'to', '<time>', 'RFC 3339, exclusive'],
  ...afterPaging('events stored'),
];

/**
 * An audit listing paged by sequence number (`--after <seq>`): one page of `GET path`, its `key` array turned
 * into rows by `toRow`, shown as a table of `columns` (or `empty` when there are none) with the hint to the next page.
 */
function seqListCommand<T>(
  name: string,
  summary: string,
  path: string,
  key: string,
  flags: readonly QueryFlag[],
  toRow: (item: T) => Row & { seq: number },
  columns: ReadonlyArray<[key: string, title: string]>,
  empty?: string,
): Command {
  return {
    group: 'audit',
    name,
    summary,
    args: [],
    options: queryOptions(flags),
    async run({ values, deployment, out }) {
      const page = await deployment.api<Record<string, T[]> & { next?: string }>(path, { query: queryOf(values, flags) });
      const rows = (page[key] ?? []).map(toRow);
      out.result(page, () => (rows.length === 0 && empty !== undefined ? empty : table(rows, columns) + nextPageHint(page.next, rows)));
    },
  };
}

const list = seqListCommand<{ seq: number; event: { type: string; occurred_at: string; data: Row } }>(
  'list',
  'list stored audit events (GET /admin/audit)',
  '/admin/audit',
  'events',
  FILTERS,
  (e) => ({ seq: e.seq, occurred_at: e.event.occurred_at, type: e.event.type, client_id: e.event.data.client_id, user: e.event.data.user_id ?? e.event.data.sub }),
  [
    ['seq', 'SEQ'],
    ['occurred_at', 'TIME'],
    ['type', 'TYPE'],
    ['client_id', 'CLIENT'],
    ['user', 'USER'],
  ],
);

/** One dead letter as GET /admin/audit/dead-letters lists it (libs/contracts `DeadLetter`). */
interface DeadLetterRow {
  seq: number;
  consumer: string;
  kind: string;
  reason: string;
  subject: string;
  stream_sequence: number;
  deliveries: number;
  dead_at: string;
  event_id?: string;
}

/** Flag → query parameter of GET /admin/audit/dead-letters. */
const DEAD_LETTER_FILTERS: readonly QueryFlag[] = [
  ['consumer', 'consumer', '<name>', 'dead letters of this durable consumer only (the audit service reads as `audit`)'],
  ...afterPaging('dead letters'),
];

const deadLetters = seqListCommand<DeadLetterRow>(
  'dead-letters',
  'list events the audit consumer could not store, with the reason (GET /admin/audit/dead-letters)',
  '/admin/audit/dead-letters',
  'dead_letters',
  DEAD_LETTER_FILTERS,
  (d) => ({
    seq: d.seq,
    dead_at: d.dead_at,
    consumer: d.consumer,
    kind: d.kind,
    deliveries: d.deliveries,
    where: `${d.subject}#${d.stream_sequence}`,
    event_id: d.event_id ?? '',
    reason: d.reason,
  }),
  [
    ['seq', 'SEQ'],
    ['dead_at', 'TIME'],
    ['consumer', 'CONSUMER'],
    ['kind', 'KIND'],
    ['deliveries', 'TRIES'],
    ['where', 'SUBJECT#SEQ'],
    ['event_id', 'EVENT'],
    ['reason', 'REASON'],
  ],
  'no dead letters\n',
);

export const AUDIT_COMMANDS: readonly Command[] = [verify, list, deadLetters];
