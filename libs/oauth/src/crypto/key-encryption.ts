import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM envelope for private keys at rest (and on the wire between the
 * jwks service and the token issuers). A key ring of key-encryption keys:
 * the first encrypts, every one decrypts, so the KEK can be rotated.
 *
 * Envelope: `v1.<kek-id>.<iv>.<ciphertext>.<tag>`, each part base64url.
 */
export class KeyEncryption {
  private readonly keys: Array<{ id: string; key: Buffer }>;

  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new Error('at least one key-encryption key is required');
    for (const key of keys) {
      if (key.length !== 32) throw new Error('a key-encryption key must be exactly 32 bytes (256 bits)');
    }
    this.keys = keys.map((key) => ({ id: KeyEncryption.keyId(key), key }));
  }

  /** Parses `KEY_ENCRYPTION_KEY`: comma separated base64 or base64url 32-byte keys. */
  static fromSetting(setting: string): KeyEncryption {
    const keys = setting
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => Buffer.from(part, part.includes('-') || part.includes('_') ? 'base64url' : 'base64'));
    return new KeyEncryption(keys);
  }

  static generateSetting(): string {
    return randomBytes(32).toString('base64url');
  }

  private static keyId(key: Buffer): string {
    return createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  get primaryKeyId(): string {
    return this.keys[0]!.id;
  }

  encrypt(plaintext: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', id, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** Throws when no configured key decrypts the envelope (wrong or missing KEK). */
  decrypt(envelope: string): string {
    const [version, id, iv, body, tag] = envelope.split('.');
    if (version !== 'v1' || !id || !iv || !body || !tag) throw new Error('not a key envelope');
    const entry = this.keys.find((k) => k.id === id);
    if (!entry) throw new Error(`no configured key-encryption key matches ${id}`);
    const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
