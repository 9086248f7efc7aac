import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What follows one piece of work across services: the request id the gateway took or made. */
export interface RequestScope {
  readonly requestId: string;
}

/** NATS header carrying the request id (the same name the gateway accepts over HTTP). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** A request id we accept from outside: short, and only characters that are safe in logs and headers. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const storage = new AsyncLocalStorage<RequestScope>();

/**
 * The request id of the work in progress, kept in AsyncLocalStorage: set by
 * the gateway for each HTTP request and by the transports for each message
 * handled, read by the logger (`request_id` on every line) and by the
 * transports (the `x-request-id` header of every onward request and event).
 */
export const RequestContext = {
  /** `value` when it is an acceptable request id, else undefined. */
  accept(value: unknown): string | undefined {
    return typeof value === 'string' && REQUEST_ID.test(value) ? value : undefined;
  },

  /** The given request id when acceptable, else a new one. */
  acceptOrCreate(value: unknown): string {
    return RequestContext.accept(value) ?? randomUUID();
  },

  run<T>(requestId: string | undefined, work: () => T): T {
    return requestId === undefined ? work() : storage.run({ requestId }, work);
  },

  current(): RequestScope | undefined {
    return storage.getStore();
  },

  requestId(): string | undefined {
    return storage.getStore()?.requestId;
  },
};
