/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */

export interface ErrStream {
  isTTY?: boolean;
  write(s: string): unknown;
}

export class Progress {
  private readonly enabled: boolean;
  private drawn = false;

  constructor(
    private readonly stream: ErrStream,
    private readonly total: number,
    private readonly now: () => number,
    private readonly start = now(),
  ) {
    this.enabled = stream.isTTY === true;
  }

  /** The line for `done` steps (exposed for tests). */
  line(done: number): string {
    const width = 30;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(frac * width);
    const secs = (this.now() - this.start) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct} ${done}/${this.total} steps  ${rate.toFixed(1)} steps/s`;
  }

  update(done: number): void {
    if (!this.enabled) return;
    this.stream.write(`\r${this.line(done)}\x1b[K`);
    this.drawn = true;
  }

  finish(): void {
    if (this.enabled && this.drawn) this.stream.write('\n');
  }
}
