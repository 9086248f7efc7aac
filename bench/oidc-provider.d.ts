/** The part of node-oidc-provider's API the benchmark's reference server uses (the package ships no types). */
declare module 'oidc-provider' {
  import type { Server } from 'node:http';

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    /** Koa's listen: an HTTP server for the provider's routes. */
    listen(port: number, host: string, listening: () => void): Server;
  }
}
