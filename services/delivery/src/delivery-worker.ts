import { type Logger, addressDomain } from '@mailcluster/common';
import {
  type BlobStore,
  type DeliveryState,
  type DeliveryStateStore,
  EnvelopeError,
  type MailPublisher,
  type OutboundMessage,
  deadLetter,
  decodeFrame,
  outboundMessageSchema,
} from '@mailcluster/queue';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { type Router, NoRouteError } from './destination.ts';
import type { DkimSigner } from './dkim-signer.ts';
import { normalizeForRelay } from './dkim-signer.ts';
import { buildDsn, enhancedStatus, headerBlock, oneLine } from './dsn.ts';
import type { DeliveryMetrics } from './metrics.ts';
import { type RetrySettings, afterTemporaryFailure } from './retry-policy.ts';
import type { SendResult, SmtpPool } from './smtp-pool.ts';

export interface WorkerDeps {
  router: Router;
  pool: SmtpPool;
  signer: DkimSigner;
  blobs: BlobStore;
  state: DeliveryStateStore;
  publisher: MailPublisher;
  js: JetStreamClient;
  metrics: DeliveryMetrics;
  log: Logger;
  settings: RetrySettings & { hostname: string; ackWaitMs: number };
}

/** How one attempt ended. */
type Attempt =
  | { kind: 'delivered'; result: SendResult; destination: string }
  | { kind: 'permanent'; diagnostic: string; status: string; remoteMta: string | undefined; destination: string }
  | { kind: 'temporary'; diagnostic: string; status: string; remoteMta: string | undefined; destination: string };

/** A nodemailer failure as an attempt outcome: an SMTP answer by its class, anything else temporary. */
function classify(error: unknown, host: string | undefined, destination: string): Attempt {
  if (error instanceof NoRouteError) {
    return { kind: error.permanent ? 'permanent' : 'temporary', diagnostic: error.message, status: error.permanent ? '5.1.2' : '4.4.3', remoteMta: undefined, destination };
  }
  const code = (error as { responseCode?: unknown }).responseCode;
  const response = oneLine(String((error as { response?: unknown }).response ?? (error instanceof Error ? error.message : error)));
  if (typeof code === 'number' && code >= 500) return { kind: 'permanent', diagnostic: response, status: enhancedStatus(response, '5.0.0'), remoteMta: host, destination };
  if (typeof code === 'number' && code >= 400) return { kind: 'temporary', diagnostic: response, status: enhancedStatus(response, '4.0.0'), remoteMta: host, destination };
  return { kind: 'temporary', diagnostic: `connection to ${host ?? destination} failed: ${response}`, status: '4.4.1', remoteMta: host, destination };
}

/**
 * Delivers MAIL_OUT messages, one recipient each. Every message ends in exactly one of: acked after
 * the remote's 250; handed back with a Postfix-like delay after a temporary failure; bounced to its
 * sender (a DSN, never for a bounce) and acked after a permanent failure or when too old; or moved
 * to MAIL_DEAD when it cannot even be read. Hosts of a destination are tried in MX order while they
 * cannot be reached; the first answer decides.
 */
export class DeliveryWorker {
  readonly #d: WorkerDeps;

  constructor(deps: WorkerDeps) {
    this.#d = deps;
  }

  /** Never rejects: every message is settled, and failures are logged here. */
  async handle(msg: JsMsg): Promise<void> {
    // Keep the message while a long transfer runs; a worker that dies lets it go after ackWait.
    const keepAlive = setInterval(() => msg.working(), Math.max(1_000, this.#d.settings.ackWaitMs / 3));
    try {
      await this.#handle(msg);
    } catch (error) {
      this.#d.log.error({ err: error, seq: msg.seq }, 'delivery failed unexpectedly; retrying later');
      msg.nak(60_000);
    } finally {
      clearInterval(keepAlive);
    }
  }

  async #handle(msg: JsMsg): Promise<void> {
    const { log, metrics, state } = this.#d;
    let message: OutboundMessage;
    let raw: Buffer;
    try {
      ({ meta: message, raw } = decodeFrame(msg.data, outboundMessageSchema));
      if (message.blobKey !== undefined) raw = await this.#d.blobs.get(message.blobKey);
    } catch (error) {
      if (!(error instanceof EnvelopeError) && !(error instanceof Error && error.name === 'BlobMissingError')) throw error;
      if (await deadLetter(this.#d.js, msg, 'unreadable', error, log)) metrics.outcomes.inc({ destination: 'unknown', outcome: 'dead_lettered' });
      return;
    }
    const previous = await state.get(message.id);
    if (previous?.done) {
      msg.ack(); // finished before; only the ack was lost
      return;
    }
    const attempt = await this.#attempt(message, raw);
    const attempts = (previous?.attempts ?? 0) + 1;
    const base: DeliveryState = {
      attempts,
      lastError: attempt.kind === 'delivered' ? '' : attempt.diagnostic,
      lastAttemptAt: Date.now(),
      nextAttemptAt: 0,
      warned: previous?.warned ?? false,
      destination: attempt.destination,
    };
    metrics.attempts.observe(attempts);

    if (attempt.kind === 'delivered') {
      await this.#finish(msg, message, { ...base, done: 'delivered' });
      log.info({ id: message.id, to: message.recipient, destination: attempt.destination, attempts, response: attempt.result.response }, 'delivered');
      metrics.outcomes.inc({ destination: attempt.destination, outcome: 'delivered' });
      return;
    }
    if (attempt.kind === 'permanent') {
      await this.#bounce(msg, message, raw, attempt, base);
      return;
    }
    const age = Date.now() - message.acceptedAt;
    const decision = afterTemporaryFailure(this.#d.settings, attempts, age, base.warned);
    if (decision.kind === 'give-up') {
      await this.#bounce(msg, message, raw, { ...attempt, status: '4.4.7', diagnostic: `delivery time expired after ${attempts} attempts; last: ${attempt.diagnostic}` }, base);
      return;
    }
    if (decision.warn) await this.#notify(message, raw, attempt, 'delayed');
    await state.put(message.id, { ...base, warned: base.warned || decision.warn, nextAttemptAt: Date.now() + decision.delayMs });
    metrics.outcomes.inc({ destination: attempt.destination, outcome: 'deferred' });
    log.warn({ id: message.id, to: message.recipient, attempts, retryInMs: decision.delayMs, reason: attempt.diagnostic }, 'delivery deferred');
    msg.nak(decision.delayMs);
  }

  async #attempt(message: OutboundMessage, raw: Buffer): Promise<Attempt> {
    let destination = addressDomain(message.recipient);
    let host: string | undefined;
    try {
      const route = await this.#d.router.route(destination);
      destination = route.name;
      const body = message.mailFrom === '' ? normalizeForRelay(raw) : await this.#d.signer.sign(normalizeForRelay(raw), addressDomain(message.mailFrom));
      let lastError: unknown;
      for (const target of route.hosts) {
        host = target.name ?? target.host;
        try {
          return { kind: 'delivered', result: await this.#d.pool.send(target, { from: message.mailFrom, to: message.recipient }, body), destination };
        } catch (error) {
          // The next MX only when this one did not answer; an answer (4xx, 5xx) decides.
          if (typeof (error as { responseCode?: unknown }).responseCode === 'number') throw error;
          lastError = error;
        }
      }
      throw lastError;
    } catch (error) {
      return classify(error, host, destination);
    }
  }

  /** Bounces to the sender (unless it is a bounce itself), then finishes the message. */
  async #bounce(msg: JsMsg, message: OutboundMessage, raw: Buffer, attempt: Exclude<Attempt, { kind: 'delivered' }>, base: DeliveryState): Promise<void> {
    await this.#notify(message, raw, attempt, 'failed');
    await this.#finish(msg, message, { ...base, done: 'bounced' });
    this.#d.metrics.outcomes.inc({ destination: attempt.destination, outcome: 'bounced' });
    this.#d.log.warn({ id: message.id, to: message.recipient, from: message.mailFrom, reason: attempt.diagnostic }, 'delivery failed; bounced');
  }

  /** A DSN to the sender; a message from the null sender is never bounced (RFC 5321 §6.1). */
  async #notify(message: OutboundMessage, raw: Buffer, attempt: Exclude<Attempt, { kind: 'delivered' }>, action: 'failed' | 'delayed'): Promise<void> {
    if (message.mailFrom === '') {
      this.#d.metrics.dsns.inc({ action, result: 'null_sender' });
      return;
    }
    await this.#d.publisher.publish(buildDsn({
      message,
      action,
      status: attempt.status,
      diagnostic: attempt.diagnostic,
      remoteMta: attempt.remoteMta,
      reportingMta: this.#d.settings.hostname,
      lastAttempt: new Date(),
      ...(action === 'delayed' ? { retryUntil: new Date(message.acceptedAt + this.#d.settings.maxLifetimeMs) } : {}),
      originalHeaders: headerBlock(raw),
    }));
    this.#d.metrics.dsns.inc({ action, result: 'sent' });
  }

  /** Records the outcome, then acks: a redelivery of an acked-but-unconfirmed message sees it. */
  async #finish(msg: JsMsg, message: OutboundMessage, final: DeliveryState): Promise<void> {
    await this.#d.state.put(message.id, final);
    await msg.ackAck();
  }
}
