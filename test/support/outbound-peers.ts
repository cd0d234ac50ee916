import { type Socket, createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { SINK_PORT } from './smtp-sink.ts';
import { stack } from './stack.ts';

/** One transaction a peer saw through to the end of DATA. */
export interface PeerTransaction {
  /** The connection it came over (smtp-server's session id). */
  connection: string;
  /** Whether that connection had been upgraded with STARTTLS by then. */
  secure: boolean;
  mailFrom: string;
  rcptTo: string[];
  /** The message as received (CRLF). */
  message: string;
  /** accepted: answered 250; held: DATA received but never answered (see `hold`). */
  outcome: 'accepted' | 'held';
}

export interface SmtpPeerOptions {
  host?: string;
  port?: number;
  /** Offer STARTTLS with the stack's self-signed certificate (CN=localhost), as many MX hosts do. */
  starttls?: boolean;
  /** Wait this long before answering DATA, so that parallel messages need parallel connections. */
  dataDelayMs?: number;
}

/**
 * A remote MTA on loopback for outbound tests, written with smtp-server (where Postfix's smtp-sink
 * cannot tell what a test needs to know): it counts connections and TLS upgrades, records every
 * transaction with the connection it came over, and can hold a transaction open after DATA.
 */
export class SmtpPeer {
  readonly transactions: PeerTransaction[] = [];
  /** Connections opened, and how many were open at most at one time. */
  connections = 0;
  maxOpenConnections = 0;
  /** Completed STARTTLS handshakes. */
  tlsUpgrades = 0;
  /** While true, DATA is read to its end and then never answered (the remote "thinks"). */
  hold = false;
  readonly #server: SMTPServer;
  #open = 0;

  private constructor(options: SmtpPeerOptions) {
    const tls = options.starttls ? { key: readFileSync(join(dirname(stack().tlsCertFile), 'smtp.key')), cert: readFileSync(stack().tlsCertFile) } : {};
    this.#server = new SMTPServer({
      ...tls,
      name: 'peer.remote.test',
      authOptional: true,
      disabledCommands: options.starttls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      logger: false,
      closeTimeout: 10,
      disableReverseLookup: true,
      onConnect: (_session, callback) => {
        this.connections++;
        this.maxOpenConnections = Math.max(this.maxOpenConnections, ++this.#open);
        callback();
      },
      onClose: () => {
        this.#open--;
      },
      onSecure: (_socket, _session, callback) => {
        this.tlsUpgrades++;
        callback();
      },
      onData: (stream, session: SMTPServerSession, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const transaction: PeerTransaction = {
            connection: session.id,
            secure: session.secure,
            mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            message: Buffer.concat(chunks).toString('latin1'),
            outcome: this.hold ? 'held' : 'accepted',
          };
          this.transactions.push(transaction);
          if (transaction.outcome === 'held') return;
          void sleep(options.dataDelayMs ?? 0).then(() => callback(null, 'Ok: queued'));
        });
      },
    });
  }

  static async start(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
    const peer = new SmtpPeer(options);
    await new Promise<void>((resolve, reject) => {
      peer.#server.once('error', reject);
      peer.#server.listen(options.port ?? SINK_PORT, options.host ?? '127.0.0.1', () => resolve());
    });
    return peer;
  }

  /** Accepted transactions whose message carries this Message-ID. */
  accepted(messageId: string): PeerTransaction[] {
    return this.transactions.filter((t) => t.outcome === 'accepted' && t.message.includes(`Message-ID: ${messageId}`));
  }

  /** Closes every connection (421) and stops listening. */
  stop(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** The records a DnsStub serves for one name. */
export interface StubZone {
  mx?: { priority: number; exchange: string }[];
  a?: string[];
}

const TYPE_A = 1;
const TYPE_MX = 15;

/**
 * A tiny authoritative DNS server on loopback UDP: MX and A records for the names it is given,
 * NOERROR with no answer for other types of those names, and SERVFAIL (temporary) for any other
 * name, so that mail a test did not mean for it is deferred, not bounced.
 */
export class DnsStub {
  readonly queries: { name: string; type: number }[] = [];
  readonly #socket: Socket;
  readonly #zones: Map<string, StubZone>;

  private constructor(socket: Socket, zones: Record<string, StubZone>) {
    this.#socket = socket;
    this.#zones = new Map(Object.entries(zones).map(([name, zone]) => [name.toLowerCase(), zone]));
    socket.on('message', (query, from) => {
      const answer = this.#answer(query);
      if (answer) socket.send(answer, from.port, from.address);
    });
  }

  static async start(zones: Record<string, StubZone>): Promise<DnsStub> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new DnsStub(socket, zones);
  }

  /** ip:port, as MAILCLUSTER_DNS_SERVERS takes it. */
  get address(): string {
    const { address, port } = this.#socket.address();
    return `${address}:${port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  #answer(query: Buffer): Buffer | undefined {
    if (query.length < 12 || query.readUInt16BE(4) !== 1) return undefined;
    const labels: string[] = [];
    let offset = 12;
    while (offset < query.length && query[offset] !== 0) {
      const length = query[offset] ?? 0;
      labels.push(query.toString('latin1', offset + 1, offset + 1 + length));
      offset += 1 + length;
    }
    const questionEnd = offset + 5;
    if (questionEnd > query.length) return undefined;
    const type = query.readUInt16BE(offset + 1);
    const name = labels.join('.').toLowerCase();
    this.queries.push({ name, type });
    const zone = this.#zones.get(name);
    const records: Buffer[] = [];
    if (zone && type === TYPE_MX) {
      for (const mx of zone.mx ?? []) {
        const preference = Buffer.alloc(2);
        preference.writeUInt16BE(mx.priority);
        records.push(resourceRecord(TYPE_MX, Buffer.concat([preference, encodeName(mx.exchange)])));
      }
    }
    if (zone && type === TYPE_A) {
      for (const address of zone.a ?? []) records.push(resourceRecord(TYPE_A, Buffer.from(address.split('.').map(Number))));
    }
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0); // id
    // QR, opcode 0, AA, RD copied, RA; rcode 0 (NOERROR) or 2 (SERVFAIL)
    header.writeUInt16BE(0x8480 | (query.readUInt16BE(2) & 0x0100) | (zone ? 0 : 2), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(records.length, 6);
    return Buffer.concat([header, query.subarray(12, questionEnd), ...records]);
  }
}

function encodeName(name: string): Buffer {
  return Buffer.concat([...name.split('.').filter(Boolean).map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')])), Buffer.from([0])]);
}

/** An answer record for the question's name (a pointer to offset 12), class IN, TTL 60. */
function resourceRecord(type: number, data: Buffer): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0);
  fixed.writeUInt16BE(type, 2);
  fixed.writeUInt16BE(1, 4);
  fixed.writeUInt32BE(60, 6);
  fixed.writeUInt16BE(data.length, 10);
  return Buffer.concat([fixed, data]);
}
