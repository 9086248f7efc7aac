import { headers as natsHeaders, type Msg } from '@nats-io/transport-node';

/**
 * Header of the empty "still working on it" message a responder sends to the
 * reply subject of a request it has not answered yet (every
 * {@link WORKING_EVERY_MS}).
 */
export const WORKING_HEADER = 'Smart-Working';

/** How often a responder says it still works on a request, from the request's arrival on (ms). */
export const WORKING_EVERY_MS = 100;

const EMPTY = new Uint8Array(0);

/**
 * Fast failover (issue #14): while a request is being handled, its caller
 * hears an empty `Smart-Working` message on the reply subject every
 * WORKING_EVERY_MS, from WORKING_EVERY_MS after it arrived (a request
 * answered sooner, nearly all of them, costs no message). A caller that
 * hears neither this nor the answer knows the replica that took its request
 * is gone (ReplyMux's liveness window) without waiting for its whole
 * timeout. One timer for all requests in flight, stopped when none is.
 */
export class WorkingHeartbeat {
  /** Requests being handled now, with when they arrived. */
  private readonly working = new Map<Msg, number>();
  private timer?: NodeJS.Timeout;
  private readonly headers = (() => {
    const h = natsHeaders();
    h.set(WORKING_HEADER, '1');
    return h;
  })();

  /** `request` (one with a reply subject) is being handled from now on. */
  begin(request: Msg): void {
    this.working.set(request, Date.now());
    this.timer ??= setInterval(() => this.beat(), WORKING_EVERY_MS).unref();
  }

  /** `request` is answered (or failed): its caller hears no more "working". */
  end(request: Msg): void {
    this.working.delete(request);
  }

  private beat(): void {
    if (this.working.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const due = Date.now() - WORKING_EVERY_MS;
    for (const [request, arrived] of this.working) if (arrived <= due) request.respond(EMPTY, { headers: this.headers });
  }
}
