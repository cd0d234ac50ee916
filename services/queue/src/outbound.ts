import { z } from 'zod';

/**
 * Outbound mail: one MAIL_OUT message per remote recipient, so each recipient is retried, delayed
 * or bounced on its own (nak with a delay is JetStream's per-message retry). The wire form is the
 * same as a MAIL_IN copy's: `[u32 length][JSON][raw bytes]`, or a blob key for large bodies.
 */
export const MAIL_OUT_STREAM = 'MAIL_OUT';
export const MAIL_OUT_SUBJECTS = 'mail.out.>';
/** One subject per destination domain, so a queue listing can group and filter by destination. */
export const mailOutSubject = (domain: string): string => `mail.out.${domain.replace(/[^a-z0-9-]/g, '_')}`;
export const DELIVERY_CONSUMER = 'delivery';
/** Per-message delivery state (attempts, last error, warned) for retries, warnings and `mailctl queue`. */
export const MAIL_OUT_STATE_BUCKET = 'MAIL_OUT_STATE';

export const outboundMessageSchema = z.object({
  version: z.literal(1),
  /** Stable id of this recipient's delivery: its Nats-Msg-Id and its key in MAIL_OUT_STATE. */
  id: z.string().regex(/^[0-9a-f]{64}$/),
  /** Envelope sender; '' for a bounce (which is never bounced again). */
  mailFrom: z.string(),
  recipient: z.string().min(3),
  /** When the message was accepted (the start of the give-up clock). */
  acceptedAt: z.number().int(),
  size: z.number().int().nonnegative(),
  /** The Message-ID header, for logs and DSNs. */
  messageId: z.string().nullable(),
  blobKey: z.string().optional(),
});

export type OutboundMessage = z.infer<typeof outboundMessageSchema>;

/** What the delivery workers remember about one message between attempts. */
export const deliveryStateSchema = z.object({
  attempts: z.number().int().nonnegative(),
  lastError: z.string(),
  lastAttemptAt: z.number().int(),
  nextAttemptAt: z.number().int(),
  /** A delay warning (DSN action=delayed) was sent to the sender. */
  warned: z.boolean(),
  destination: z.string(),
  /**
   * Set when the message was delivered or bounced, before its ack: a redelivery (the ack lost, the
   * worker killed just after) then finishes it instead of sending it again.
   */
  done: z.enum(['delivered', 'bounced']).optional(),
});

export type DeliveryState = z.infer<typeof deliveryStateSchema>;
