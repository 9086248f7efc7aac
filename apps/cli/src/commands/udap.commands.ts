import { existsSync, readFileSync } from 'node:fs';
import { stringValue, type Command } from '../command.js';
import { fields } from '../output.js';
import { UsageError } from '../usage-error.js';
import type { CertificateView } from '../udap/certificate-view.js';
import { inspectUdapInput, type Inspection, type RuleOutcome } from '../udap/udap-inspection.js';
import { readText } from './clients.commands.js';

/** The input of `udap inspect`: a file, `-` for standard input, or the statement, request or PEM itself. */
export function inspectedText(argument: string, readStdin: () => string = () => readFileSync(0, 'utf8')): string {
  if (argument === '-') return readStdin();
  if (existsSync(argument)) return readText(argument);
  const literal = argument.trim();
  if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(literal) || literal.startsWith('{') || literal.includes('-----BEGIN CERTIFICATE-----')) return literal;
  throw new UsageError(`${argument.slice(0, 64)}: no such file, nor a software statement, registration request or PEM certificate`);
}

function certificateLines(view: CertificateView, index: number): string {
  const title = index === 0 ? 'Certificate 1 (the signer)' : `Certificate ${index + 1}`;
  const body = fields([
    ['subject', view.subject],
    ['issuer', view.issuer],
    ['SAN URIs', view.san_uris],
    ['valid', `${view.not_before} to ${view.not_after} (${view.validity})`],
    ['key usage', view.key_usage ?? '(no extension: any)'],
    ['CA', view.ca ? `yes${view.path_length !== undefined ? `, path length ${view.path_length}` : ''}` : 'no'],
    ['CRL DPs', view.crl_distribution_points],
    ['serial', view.serial],
    ['SHA-256', view.sha256],
  ]);
  return `${title}\n${body.replace(/^/gm, '  ')}`;
}

const ruleLine = (outcome: RuleOutcome) => `  [${outcome.rule}] ${outcome.message}${outcome.error ? ` (${outcome.error})` : ''}\n`;

/** The inspection as text: the header, each certificate, the claims, every problem on its own line naming its rule, what was not checked, the verdict. */
export function inspectionText(inspection: Inspection): string {
  const what = { software_statement: 'Software statement', registration_request: 'Registration request', certificates: 'Certificates' }[inspection.kind];
  let text = inspection.header ? `${what} (alg ${String(inspection.header.alg)}, x5c: ${inspection.header.x5c} certificate${inspection.header.x5c === 1 ? '' : 's'})\n` : `${what}\n`;
  text += inspection.certificates.map(certificateLines).join('');
  if (inspection.claims) text += `Claims\n${fields(Object.entries(inspection.claims)).replace(/^/gm, '  ')}`;
  if (inspection.problems.length > 0) text += `Problems\n${inspection.problems.map(ruleLine).join('')}`;
  if (inspection.not_checked.length > 0) text += `Not checked\n${inspection.not_checked.map(ruleLine).join('')}`;
  const count = inspection.problems.length;
  return text + (inspection.accepted ? 'Result: no rule broken: it would be accepted, as far as can be told here\n' : `Result: it would be refused (${count} problem${count === 1 ? '' : 's'})\n`);
}

const inspect: Command = {
  group: 'udap',
  name: 'inspect',
  summary: 'explain, locally, why a UDAP software statement or client certificate would be refused',
  args: ['software_statement|cert'],
  options: {
    anchors: { type: 'string', value: '<pem file>', description: 'trust anchors (PEM): check that the chain reaches one' },
    'registration-endpoint': { type: 'string', value: '<url>', description: 'the registration endpoint the statement must name as aud' },
  },
  details: `
The input is a file, - for standard input, or the text itself: a software
statement (a compact JWS with x5c), a UDAP registration request body (JSON
with software_statement and udap), or PEM certificates (the client's first).
Shown: the x5c chain (subjects, SANs, validity, key usage, CRL distribution
points), the claims, then each problem on its own line naming the rule it
breaks (the registration endpoint's own rules: iss a SAN URI of the signer,
sub = iss, aud, exp at most 5 minutes after iat, jti, grant types, …) with the
error the server would answer. Nothing is sent anywhere: revocation (the
CRLs) and jti reuse are left to the server.
Exit code: 0 when no rule is broken, 1 otherwise.`,
  async run({ values, args, out }) {
    const anchorsFile = stringValue(values, 'anchors');
    const registrationEndpoint = stringValue(values, 'registration-endpoint');
    const inspection = await inspectUdapInput(inspectedText(args[0]!), {
      ...(anchorsFile ? { anchorsPem: readText(anchorsFile) } : {}),
      ...(registrationEndpoint ? { registrationEndpoint } : {}),
    });
    out.result(inspection, () => inspectionText(inspection));
    return inspection.accepted ? 0 : 1;
  },
};

export const UDAP_COMMANDS: readonly Command[] = [inspect];
