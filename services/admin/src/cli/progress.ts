/**
 * A progress display on stderr for long runs: on a terminal one line redrawn in place (a bar when
 * the total size is known, a rate, an ETA), at most ten times a second; in a log (not a TTY) one
 * line every two seconds, so CI output shows the run moving without drowning in it.
 */
export interface ProgressOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

const BAR_WIDTH = 24;

export class Progress {
  readonly #label: string;
  readonly #totalBytes: number | undefined;
  readonly #out: ProgressOutput;
  readonly #everyMs: number;
  readonly #started = performance.now();
  #shownAt = -Infinity;

  constructor(label: string, totalBytes: number | undefined, out: ProgressOutput = process.stderr) {
    this.#label = label;
    this.#totalBytes = totalBytes;
    this.#out = out;
    this.#everyMs = out.isTTY ? 100 : 2_000;
  }

  /** `units` done so far (lines, users), `bytes` of the input read, `detail` the counts worth showing. */
  update(units: number, bytes: number, detail: string): void {
    const now = performance.now();
    if (now - this.#shownAt < this.#everyMs) return;
    this.#shownAt = now;
    const line = `${this.#label}: ${this.#position(bytes)}${units.toLocaleString('en')} · ${detail} · ${this.#rate(units, now)}${this.#eta(bytes, now)}`;
    this.#out.write(this.#out.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
  }

  /** Ends the display with a last line. */
  finish(text: string): void {
    this.#out.write(`${this.#out.isTTY ? '\r\x1b[K' : ''}${this.#label}: ${text}\n`);
  }

  #position(bytes: number): string {
    if (this.#totalBytes === undefined || this.#totalBytes === 0) return '';
    const share = Math.min(1, bytes / this.#totalBytes);
    const filled = Math.round(share * BAR_WIDTH);
    const bar = this.#out.isTTY ? `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ` : '';
    return `${bar}${Math.floor(share * 100)}% · `;
  }

  #rate(units: number, now: number): string {
    const seconds = (now - this.#started) / 1000;
    return `${Math.round(units / Math.max(seconds, 0.001)).toLocaleString('en')}/s`;
  }

  #eta(bytes: number, now: number): string {
    if (this.#totalBytes === undefined || bytes === 0 || bytes >= this.#totalBytes) return '';
    const seconds = ((now - this.#started) / 1000) * (this.#totalBytes / bytes - 1);
    return ` · ETA ${Math.ceil(seconds)}s`;
  }
}
