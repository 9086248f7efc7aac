import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { TokenResponseBody } from '#contracts';

/**
 * Refresh grace: a refresh's token response sealed (AES-256-GCM) under a key
 * derived from the refresh token that was spent. The authorization service
 * stores the sealed text and only the SHA-256 of that refresh token, with a
 * different prefix from this key's, so what it holds opens nothing: only the
 * client presenting the spent token again, inside the window, gets the
 * response back.
 */

const KEY_PREFIX = 'smart-auth refresh-replay v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyOf(refreshToken: string): Buffer {
  return createHash('sha256').update(KEY_PREFIX).update(refreshToken).digest();
}

export function sealRefreshResponse(refreshToken: string, body: TokenResponseBody): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyOf(refreshToken), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(body), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The response sealed under this refresh token, or null when it was sealed under another or altered. */
export function openRefreshResponse(refreshToken: string, sealed: string): TokenResponseBody | null {
  try {
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
    const decipher = createDecipheriv('aes-256-gcm', keyOf(refreshToken), bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    const body = JSON.parse(text) as TokenResponseBody;
    return typeof body === 'object' && body !== null && typeof body.access_token === 'string' ? body : null;
  } catch {
    return null;
  }
}
