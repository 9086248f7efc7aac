import type { FastifyReply } from 'fastify';

/** Sends a JSON body with its status (the edge hook has already set the cache headers of the path). */
export function sendJson(reply: FastifyReply, status: number, body: unknown): void {
  reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(body));
}
