import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { suiteMetrics } from './metrics.js';

/** One readiness check of a service in this process: whether it can serve, and what it reports. */
export type ReadinessCheck = () => Promise<{ ready: boolean; report: unknown }>;

const checks = new Map<string, ReadinessCheck>();

/** Registers the readiness of a service running in this process (one per service; embedded mode has them all). */
export function registerReadiness(service: string, check: ReadinessCheck): () => void {
  checks.set(service, check);
  return () => checks.delete(service);
}

function send(res: ServerResponse, status: number, contentType: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

async function readiness(): Promise<{ ready: boolean; services: Record<string, unknown> }> {
  const entries = await Promise.all(
    [...checks].map(async ([service, check]) => {
      try {
        return [service, await check()] as const;
      } catch {
        return [service, { ready: false, report: 'down' }] as const;
      }
    }),
  );
  return {
    ready: entries.length > 0 && entries.every(([, r]) => r.ready),
    services: Object.fromEntries(entries.map(([service, r]) => [service, r.report])),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'application/json', '{"error":"method_not_allowed"}', { allow: 'GET, HEAD' });
  switch (path) {
    case '/health/live':
      return send(res, 200, 'application/json; charset=utf-8', '{"status":"ok"}');
    case '/health/ready': {
      const { ready, services } = await readiness();
      return send(res, ready ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify({ status: ready ? 'ok' : 'unavailable', services }), ready ? {} : { 'retry-after': '1' });
    }
    case '/metrics': {
      const { contentType, body } = await suiteMetrics().render();
      return send(res, 200, contentType, body);
    }
    default:
      return send(res, 404, 'application/json', '{"error":"not_found"}');
  }
}

/**
 * The management port of a process (`MANAGEMENT_PORT`): liveness, readiness
 * and Prometheus metrics, on a port of its own that the gateway's public
 * listener never serves and the Ingress never routes to.
 */
export class ManagementServer {
  private constructor(private readonly server: Server) {}

  static async listen(port: number, host: string): Promise<ManagementServer> {
    const server = createServer((req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) send(res, 500, 'application/json', '{"error":"server_error"}');
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new ManagementServer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
