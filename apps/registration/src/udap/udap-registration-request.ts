import { InvalidClientMetadata, InvalidSoftwareStatement } from '#oauth';
import { isObject } from '../config/trust-config.js';

/** The UDAP versions this server speaks (UDAP Dynamic Client Registration §3: `udap` is "1"). */
export const UDAP_VERSIONS: readonly string[] = ['1'];

/**
 * The body of a UDAP registration request (UDAP Security 2.0 §3.2.3): the
 * software statement, `udap: "1"`, and `certifications`, an optional list
 * of signed JWTs, which this server does not evaluate (it supports none:
 * §3.3, "SHALL ignore unsupported or unrecognized certifications").
 *
 * @throws InvalidClientMetadata for a body that is not a UDAP request; InvalidSoftwareStatement without a statement.
 */
export function parseUdapRegistrationBody(body: unknown): { softwareStatement: string } {
  if (!isObject(body)) throw new InvalidClientMetadata('the registration request must be a JSON object (RFC 7591 §3.1)');
  if (body.udap === undefined || body.udap === null) throw new InvalidClientMetadata('a UDAP registration request must say "udap": "1"');
  if (typeof body.udap !== 'string' || !UDAP_VERSIONS.includes(body.udap)) throw new InvalidClientMetadata(`udap must be one of ${UDAP_VERSIONS.map((v) => `"${v}"`).join(', ')}`);
  const { certifications } = body;
  if (certifications !== undefined && certifications !== null && (!Array.isArray(certifications) || certifications.some((c) => typeof c !== 'string'))) {
    throw new InvalidClientMetadata('certifications must be an array of signed JWTs');
  }
  if (typeof body.software_statement !== 'string' || body.software_statement === '') {
    throw new InvalidSoftwareStatement('software_statement is required: a JWT signed with the key of the x5c certificate');
  }
  return { softwareStatement: body.software_statement };
}

/**
 * Whether an RFC 7591 registration (no `udap` member) carries what looks like
 * a UDAP software statement (an `x5c` header): such a request lacks `udap`.
 */
export function looksLikeUdapStatement(statement: unknown): boolean {
  if (typeof statement !== 'string') return false;
  try {
    const header = JSON.parse(Buffer.from(statement.split('.')[0] ?? '', 'base64url').toString('utf8')) as unknown;
    return isObject(header) && header.x5c !== undefined;
  } catch {
    return false;
  }
}
