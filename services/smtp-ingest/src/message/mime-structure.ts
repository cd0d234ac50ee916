import type { Transform } from 'node:stream';
import mailsplit from '@zone-eu/mailsplit';

/**
 * Checks the MIME structure of a message while it arrives: how many parts, how deep multiparts
 * nest, how large one part's header block is. A MIME bomb is refused in the session (554) instead
 * of reaching the parser, the queue or the writers. It runs mailsplit's splitter (the one mailparser
 * uses) and throws the content away.
 */
export interface MimeLimits {
  maxParts: number;
  maxDepth: number;
  maxHeaderBytes: number;
}

export class MimeStructureCheck {
  readonly #limits: MimeLimits;
  readonly #splitter: InstanceType<typeof mailsplit.Splitter>;
  readonly #done: Promise<void>;
  #parts = 0;
  #problem: string | undefined;

  constructor(limits: MimeLimits) {
    this.#limits = limits;
    // The splitter's own node limit sits one above ours, so our count gives the clearer message.
    this.#splitter = new mailsplit.Splitter({ maxHeadSize: limits.maxHeaderBytes, maxChildNodes: limits.maxParts + 1 });
    this.#splitter.on('data', (chunk) => {
      if (chunk.type !== 'node' || this.#problem !== undefined) return;
      this.#parts += 1;
      if (this.#parts > limits.maxParts) this.#problem = `more than ${limits.maxParts} MIME parts`;
      let depth = 0;
      for (let node = chunk.parentNode; node !== false; node = node.parentNode) depth += 1;
      if (depth > limits.maxDepth) this.#problem = `MIME parts nested deeper than ${limits.maxDepth}`;
    });
    // mailsplit's typings only declare 'data'; it is a Transform and ends or fails like one.
    const stream = this.#splitter as unknown as Transform;
    this.#done = new Promise((resolve) => {
      stream.once('end', () => resolve());
      stream.once('error', (error: Error) => {
        this.#problem ??= /header size/i.test(error.message)
          ? `a MIME header block over ${this.#limits.maxHeaderBytes} bytes`
          : /child nodes/i.test(error.message)
            ? `more than ${this.#limits.maxParts} MIME parts`
            : error.message;
        resolve();
      });
    });
  }

  push(chunk: Buffer): void {
    if (this.#problem === undefined && !this.#splitter.destroyed) this.#splitter.write(chunk);
  }

  /** Resolves with what is wrong with the structure, or undefined when it is within limits. */
  async finish(): Promise<string | undefined> {
    if (!this.#splitter.destroyed) this.#splitter.end();
    await this.#done;
    return this.#problem;
  }
}
