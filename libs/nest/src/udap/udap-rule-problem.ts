/** The OAuth error a broken UDAP registration rule is answered with (UDAP Dynamic Client Registration §4, RFC 7591 §3.2.2). */
export type UdapRuleError = 'invalid_software_statement' | 'invalid_client_metadata' | 'invalid_redirect_uri';

/**
 * One rule a UDAP software statement or registration breaks: the rule's
 * name (what `smart-auth udap inspect` prints), the error the registration
 * endpoint answers with, and a message safe to show.
 */
export interface UdapRuleProblem {
  rule: string;
  error: UdapRuleError;
  message: string;
}
