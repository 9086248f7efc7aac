import type { ClientRecord } from '#contracts';

const MAX_REQUESTS_PER_CLIENT = 64;

/**
 * Remembers, per client record, the scope granted for each scope parameter
 * already seen, so a client asking the same thing again (a backend service
 * renewing its token) costs no parsing or negotiation. Keyed by the record
 * object the ClientDirectory hands out, which is replaced whenever the
 * client changes, so an updated registration is never answered from here.
 */
export class GrantedScopeCache {
  private readonly byClient = new WeakMap<ClientRecord, Map<string, string>>();

  granted(client: ClientRecord, requested: string | undefined, negotiate: () => string): string {
    const key = requested ?? '';
    let answers = this.byClient.get(client);
    const known = answers?.get(key);
    if (known !== undefined) return known;
    const scope = negotiate();
    if (!answers) this.byClient.set(client, (answers = new Map()));
    if (answers.size >= MAX_REQUESTS_PER_CLIENT) answers.clear();
    answers.set(key, scope);
    return scope;
  }
}
