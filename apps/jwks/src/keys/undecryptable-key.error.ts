/**
 * A stored private key that the configured key-encryption keys cannot open.
 * Always a start-up failure: minting a replacement would silently orphan the
 * key (and every token signed with it) and hide a wrong KEY_ENCRYPTION_KEY.
 */
export class UndecryptableKeyError extends Error {
  constructor(
    readonly kid: string,
    readonly kekId: string,
    reason: string,
  ) {
    const detail = reason.includes(kekId) ? reason : `${reason}; it was sealed under key-encryption key id ${kekId}`;
    super(
      `signing key ${kid} cannot be decrypted: the KEY_ENCRYPTION_KEY is wrong (${detail}). ` +
        'Configure the key it was created with; when rotating, put the new key first and keep the old one after it',
    );
    this.name = 'UndecryptableKeyError';
  }
}
