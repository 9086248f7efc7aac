import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParsedCertificate, selfSignedCertificate } from '#nest';

const WEEK_MS = 7 * 86_400_000;

/** A certificate kept in the data folder, made again when missing, near its end, or naming other URIs. */
async function kept(dataDir: string, name: string, make: () => ReturnType<typeof selfSignedCertificate>, uris?: string[]): Promise<{ file: string; certificate: ParsedCertificate }> {
  const file = join(dataDir, `${name}.pem`);
  const keyFile = join(dataDir, `${name}.key`);
  if (existsSync(file) && existsSync(keyFile)) {
    const [current] = ParsedCertificate.fromPemBundle(readFileSync(file, 'utf8'), file);
    const fits = current && current.notAfter.getTime() - Date.now() > WEEK_MS && (!uris || current.uris().join(' ') === uris.join(' '));
    if (current && fits) return { file, certificate: current };
  }
  const made = await make();
  writeFileSync(keyFile, made.privateKey, { mode: 0o600 });
  writeFileSync(file, made.certificate, { mode: 0o644 });
  return { file, certificate: ParsedCertificate.fromPemBundle(made.certificate, file)[0]! };
}

/**
 * UDAP in the development mode (issue #17), unless the UDAP settings are
 * given: a development trust community (a self-signed CA, its key beside it
 * to issue client certificates with) and a self-signed server certificate
 * naming ISSUER and FHIR_BASE_URL as URI SANs for `signed_metadata`, both
 * kept in the data folder. Sets the UDAP_* settings and returns the banner's lines.
 */
export async function developmentUdap(dataDir: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  if (env.UDAP_TRUST_ANCHORS_FILE || env.UDAP_COMMUNITIES_FILE || env.UDAP_SERVER_CERT_FILE || env.UDAP_SERVER_KEY_FILE) return [];
  const uris = [...new Set([env.ISSUER!, env.FHIR_BASE_URL!])];
  const ca = await kept(dataDir, 'udap-development-ca', () => selfSignedCertificate({ commonName: 'Development UDAP community', ca: true, days: 3650 }));
  const server = await kept(dataDir, 'udap-server', () => selfSignedCertificate({ commonName: 'SMART authorization suite (development)', uris, days: 365 }), uris);
  env.UDAP_TRUST_ANCHORS_FILE = ca.file;
  env.UDAP_SERVER_CERT_FILE = server.file;
  env.UDAP_SERVER_KEY_FILE = server.file.replace(/\.pem$/, '.key');
  return [
    `UDAP (development): ${env.ISSUER}/.well-known/udap, signed_metadata by a self-signed certificate`,
    `  ${server.file} (SHA-256 ${server.certificate.sha256}) for ${uris.join(', ')}`,
    `  trust anchor: the development community CA ${ca.file}; issue client certificates with ${ca.file.replace(/\.pem$/, '.key')}`,
  ];
}
