import { ValidateBy, type ValidationArguments } from 'class-validator';
import { extensionNames, UDAP_AUTHORIZATION_EXTENSIONS } from '../udap/authorization-extensions.js';

/**
 * A comma-separated list of UDAP Authorization Extension Object names this
 * server can read ({@link UDAP_AUTHORIZATION_EXTENSIONS}); with `within`, each
 * must also be listed in that other setting (UDAP Security 2.0 §2.2: the
 * required extensions are among the supported ones).
 */
export function UdapExtensionList(within?: string): PropertyDecorator {
  return ValidateBy({
    name: 'udapExtensionList',
    validator: {
      validate: (value: unknown, args?: ValidationArguments) => {
        if (typeof value !== 'string') return false;
        const names = extensionNames(value);
        if (!names.every((name) => UDAP_AUTHORIZATION_EXTENSIONS.includes(name))) return false;
        if (within === undefined) return true;
        const allowed = extensionNames((args?.object as Record<string, unknown> | undefined)?.[within] as string | undefined);
        return names.every((name) => allowed.includes(name));
      },
      defaultMessage: () =>
        `must be names from ${UDAP_AUTHORIZATION_EXTENSIONS.join(', ')}, separated by commas${within ? `, each also in ${within}` : ''}`,
    },
  });
}
