/**
 * How a caller sends one request to the suite's services and waits for its
 * answer: over NATS (DirectNatsRequester) or in process in the embedded
 * mode (InProcessRequester). ServiceBus, the typed client every caller uses,
 * sits on one of these.
 *
 * The promise resolves with the handler's answer. It rejects with the error
 * envelope of a refused request as it came (`OAuthErrorEnvelope`), or with
 * one of the transport's error classes (`transport-errors.ts`): NoResponders
 * (nothing subscribes), ResponderLost (the responder went silent for
 * `livenessMs`), ReplyTimeout (no answer in `timeoutMs`), BrokerUnavailable
 * (not sent: no connection), RequesterClosed, NoMatchingHandler; or with a
 * nats.js error class. Nothing is classified by its message text.
 */
export interface Requester {
  /**
   * @param timeoutMs how long to wait for the answer.
   * @param livenessMs where the transport can tell (NATS: the responder's `Smart-Working` messages), fail with
   *   ResponderLost once the responder has said nothing for this long.
   */
  request(subject: string, data: unknown, timeoutMs: number, livenessMs?: number): Promise<unknown>;
}
