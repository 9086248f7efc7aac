/** SMART App Launch 2.2 scope grammar, scope sets (RFC 6749 §3.3) and scope negotiation. */
export { SmartScope, type ScopeContext, type ScopeKind } from './smart-scope.js';
export { ScopeSet } from './scope-set.js';
export { negotiateScopes, type ScopeNegotiation } from './scope-negotiation.js';
