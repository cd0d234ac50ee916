/** Every JetStream name the services share (DESIGN §1, §4). */

/** Inbound mail: one message per accepted recipient copy, subject `mail.in.<prefix>`. */
export const MAIL_IN_STREAM = 'MAIL_IN';
export const MAIL_IN_SUBJECTS = 'mail.in.>';
export const mailInSubject = (prefix: string): string => `mail.in.${prefix}`;

/** Messages the writers or delivery workers could never process; kept for inspection and replay. */
export const MAIL_DEAD_STREAM = 'MAIL_DEAD';
export const MAIL_DEAD_SUBJECTS = 'mail.dead.>';

/** The durable pull consumer all writer pods share. */
export const WRITER_CONSUMER = 'writer';

/** Object store for message bodies too large to travel inline (claim check, keyed by content hash). */
export const MAIL_BLOB_BUCKET = 'MAIL_BLOBS';

/** Header names on dead-lettered copies. */
export const DEAD_REASON_HEADER = 'Mail-Dead-Reason';
export const DEAD_DELIVERIES_HEADER = 'Mail-Dead-Deliveries';
