import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The API server's reason for a status code, for the injected error's body. */
const REASONS: Record<number, string> = { 409: 'Conflict', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout' };

export interface ProxiedRequest {
  method: string;
  path: string;
  watch: boolean;
  status: number;
  /** When the request arrived (Date.now()). */
  at: number;
}

export interface Fault {
  method?: string;
  /** Matched against the path without the query. */
  path: RegExp;
  status: number;
  /** How many matching requests fail; then the rule is spent (Infinity: until `clearFaults`). */
  times: number;
}

/**
 * A TLS-terminating proxy in front of the test API server, for the operator's tests: it records
 * every request (to count writes), answers chosen requests with an error (an injected 409 or 503),
 * can cut every open connection, watches included, and refuse new ones for a while, and can stall
 * the open watches (held open, forwarding nothing). Credentials pass through (the operator
 * authenticates with a bearer token).
 */
export class KubeFaultProxy {
  readonly requests: ProxiedRequest[] = [];
  readonly #faults: Fault[] = [];
  readonly #sockets = new Set<Socket>();
  /** Open watches: the API server's response and the client's, to stall one. */
  readonly #watches = new Set<{ upstream: IncomingMessage; client: ServerResponse }>();
  #refuseUntil = 0;
  #server: ReturnType<typeof createServer> | undefined;
  #port = 0;
  #cert = '';

  readonly #upstream: URL;
  readonly #upstreamCa: Buffer;

  private constructor(upstream: URL, upstreamCa: Buffer) {
    this.#upstream = upstream;
    this.#upstreamCa = upstreamCa;
  }

  static async start(upstream: string, upstreamCa: Buffer): Promise<KubeFaultProxy> {
    const proxy = new KubeFaultProxy(new URL(upstream), upstreamCa);
    await proxy.#listen();
    return proxy;
  }

  get url(): string {
    return `https://127.0.0.1:${this.#port}`;
  }

  /** The proxy's own certificate, for the client's certificate-authority-data. */
  get certificate(): string {
    return this.#cert;
  }

  fail(fault: Fault): void {
    this.#faults.push({ ...fault });
  }

  /** Spends every fault rule: from now on every request passes. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  /**
   * Stalls every watch open now: the connection stays up but nothing more reaches the client, as
   * with a half-dead connection. Events are dropped. Watches opened later pass normally.
   * Returns how many were stalled.
   */
  stallWatches(): number {
    const stalled = this.#watches.size;
    for (const watch of this.#watches) {
      watch.upstream.unpipe(watch.client);
      watch.upstream.resume(); // drained into nothing
    }
    this.#watches.clear();
    return stalled;
  }

  /** Drops every open connection (watches end mid-stream) and refuses new ones for `refuseMs`. */
  cut(refuseMs = 0): void {
    this.#refuseUntil = Date.now() + refuseMs;
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Writes (not to leases: leader election renews its lease by design) since `from`. */
  writesSince(from: number): ProxiedRequest[] {
    return this.requests.slice(from).filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && !r.path.includes('/leases/'));
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  async #listen(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'kube-proxy-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
      this.#cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
      this.#server = createServer({ cert: this.#cert, key: readFileSync(join(dir, 'key.pem')) }, (req, res) => this.#handle(req, res));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    this.#server.on('secureConnection', (socket: Socket) => {
      if (Date.now() < this.#refuseUntil) {
        socket.destroy();
        return;
      }
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', () => resolve()));
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : 0;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const record: ProxiedRequest = { method: req.method ?? 'GET', path: url.pathname, watch: url.searchParams.get('watch') === 'true', status: 0, at: Date.now() };
    this.requests.push(record);
    const fault = this.#faults.find((f) => f.times > 0 && f.path.test(url.pathname) && (f.method === undefined || f.method === req.method));
    if (fault) {
      fault.times -= 1;
      record.status = fault.status;
      req.resume();
      res.writeHead(fault.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: fault.status, reason: REASONS[fault.status] ?? 'InternalError', message: 'injected by the test proxy' }));
      return;
    }
    const upstream = httpsRequest(
      { host: this.#upstream.hostname, port: this.#upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: this.#upstream.host }, ca: this.#upstreamCa },
      (response) => {
        record.status = response.statusCode ?? 0;
        res.writeHead(response.statusCode ?? 502, response.headers);
        res.flushHeaders(); // a watch sends its headers long before its first event
        response.pipe(res);
        if (record.watch) {
          const watch = { upstream: response, client: res };
          this.#watches.add(watch);
          res.once('close', () => this.#watches.delete(watch));
        }
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}
