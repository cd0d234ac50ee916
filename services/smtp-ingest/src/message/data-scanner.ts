/**
 * Scans the DATA of one message as it arrives: counts bytes, keeps them up to the size limit, and
 * finds what makes a message unacceptable before 250 — a NUL byte, a CR or LF that is not part of
 * CRLF (the stuff of SMTP smuggling, and forbidden by RFC 5321 §2.3.8), a line over the limit.
 * It uses Buffer.indexOf for every search, so a 25 MB message costs a few native scans.
 */
export type DataViolation = 'nul-byte' | 'bare-line-end' | 'line-too-long';

const CR = 13;
const LF = 10;

export class DataScanner {
  readonly #maxBytes: number;
  readonly #maxLineLength: number;
  #chunks: Buffer[] = [];
  #bytes = 0;
  #violation: DataViolation | undefined;
  /** Bytes of the current line seen so far (CR excluded). */
  #lineLength = 0;
  /** The previous chunk ended in CR: this chunk must start with LF. */
  #pendingCr = false;

  constructor(limits: { maxBytes: number; maxLineLength: number }) {
    this.#maxBytes = limits.maxBytes;
    this.#maxLineLength = limits.maxLineLength;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get oversized(): boolean {
    return this.#bytes > this.#maxBytes;
  }

  get violation(): DataViolation | undefined {
    return this.#violation;
  }

  push(chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (this.oversized) {
      this.#chunks = []; // the message will be refused: stop holding it
      return;
    }
    this.#chunks.push(chunk);
    if (this.#violation === undefined) this.#violation = this.#scan(chunk);
  }

  /** The whole message, once DATA has ended (empty when oversized). */
  finish(): Buffer {
    if (this.#violation === undefined && this.#pendingCr) this.#violation = 'bare-line-end';
    const message = Buffer.concat(this.#chunks);
    this.#chunks = [];
    return message;
  }

  #scan(chunk: Buffer): DataViolation | undefined {
    if (chunk.indexOf(0) !== -1) return 'nul-byte';
    const crBeforeChunk = this.#pendingCr;
    if (crBeforeChunk && chunk[0] !== LF) return 'bare-line-end';

    // Every CR must be followed by LF (a CR that ends the chunk is checked with the next one).
    for (let cr = chunk.indexOf(CR); cr !== -1 && cr < chunk.length - 1; cr = chunk.indexOf(CR, cr + 1)) {
      if (chunk[cr + 1] !== LF) return 'bare-line-end';
    }
    this.#pendingCr = chunk[chunk.length - 1] === CR;

    // Every LF must follow a CR; lines are measured between LFs, CRLF not counted.
    let lineStart = 0;
    for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
      const crInChunk = lf > 0;
      if (crInChunk ? chunk[lf - 1] !== CR : !crBeforeChunk) return 'bare-line-end';
      if (this.#lineLength + (lf - lineStart) - (crInChunk ? 1 : 0) > this.#maxLineLength) return 'line-too-long';
      this.#lineLength = 0;
      lineStart = lf + 1;
    }
    this.#lineLength += chunk.length - lineStart - (this.#pendingCr ? 1 : 0);
    return this.#lineLength > this.#maxLineLength ? 'line-too-long' : undefined;
  }
}
