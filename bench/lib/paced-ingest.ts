import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { plainMessage } from './messages.ts';
import { smtpSource } from './smtp-source.ts';
import { formatNumber } from './stats.ts';

export interface PacedIngestOptions {
  host: string;
  port: number;
  /** Messages per second to aim for. */
  rate: number;
  /** smtp-source sessions per burst (smtp-ingest allows 20 connections per client IP). */
  sessions: number;
  /** Where the burst message files go. */
  dir: string;
  from: string;
  /** smtp-source `-t`: message i of every burst goes to `${i}${to}`, so `rate` such users must exist. */
  to: string;
  log: (line: string) => void;
}

export interface IngestTotals {
  messages: number;
  seconds: number;
  perSecond: number;
}

export interface PacedIngest {
  /** Ends after the burst in flight; rejects if any burst failed. */
  stop(): Promise<IngestTotals>;
}

/**
 * SMTP ingest at a set average rate, with the only rate control smtp-source has: one burst of
 * `rate` messages (5 KB plain) every second, started on the second; a burst that takes longer
 * delays the next, so the achieved rate (returned, and logged every 10 s) is what ran, never more
 * than asked. Each burst's message has its own Message-ID, so its copies are new rows for the same
 * recipients (the dedupe key covers the bytes), and the recipients can be made once.
 */
export function startPacedIngest(options: PacedIngestOptions): PacedIngest {
  let stopping = false;
  let messages = 0;
  const started = performance.now();
  const runId = Date.now().toString(36);
  // Held until stop(): a failed burst ends the ingest and fails the measurement it ran beside.
  let failure: Error | undefined;
  const loop = (async () => {
    for (let burst = 0; !stopping; burst++) {
      const due = started + burst * 1000;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const messageFile = join(options.dir, 'ingest.eml');
      writeFileSync(messageFile, plainMessage().replace('<bench-message@sender.example>', `<ingest-${runId}-${burst}@sender.example>`));
      await smtpSource({ host: options.host, port: options.port, messageFile, messages: options.rate, sessions: options.sessions, from: options.from, to: options.to });
      messages += options.rate;
      if (burst % 10 === 9) options.log(`ingest: ${formatNumber(messages / ((performance.now() - started) / 1000))} msgs/s so far (aim ${options.rate})`);
    }
  })().catch((error: unknown) => {
    failure = error instanceof Error ? error : new Error(String(error));
  });
  return {
    stop: async () => {
      stopping = true;
      await loop;
      if (failure !== undefined) throw failure;
      const seconds = (performance.now() - started) / 1000;
      return { messages, seconds, perSecond: messages / seconds };
    },
  };
}
