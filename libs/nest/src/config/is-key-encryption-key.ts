import { ValidateBy, type ValidationOptions } from 'class-validator';
import { KeyEncryption } from '#oauth';

/**
 * A key-encryption key ring setting (comma separated 32-byte keys, base64 or
 * base64url), checked at start-up with the other settings.
 */
export function IsKeyEncryptionKey(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isKeyEncryptionKey',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            KeyEncryption.fromSetting(value);
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: () => 'is required: one or more 32-byte keys, base64 or base64url, comma separated',
      },
    },
    options,
  );
}
