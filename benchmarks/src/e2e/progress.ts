/**
 * The progress line: what is being measured, how far along the run is and how long is left. On a
 * terminal it redraws one line with `\r`; otherwise (CI logs, pipes) it prints one plain line per
 * step so the log stays readable.
 */
import { formatClock } from "./format.js";

const BAR_WIDTH = 24;

/** Tracks steps done and estimates the time left from their average duration. */
export class Progress {
  private done = 0;
  private readonly startedAt = performance.now();
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    /** Expected duration of one step before any has finished. */
    private readonly estimateStepMs: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = stream.isTTY === true;
  }

  /** Announces the step about to run. */
  step(label: string): void {
    const elapsedS = (performance.now() - this.startedAt) / 1000;
    const perStepMs = this.done > 0 ? (elapsedS * 1000) / this.done : this.estimateStepMs;
    const leftS = ((this.total - this.done) * perStepMs) / 1000;
    const count = `${String(this.done + 1).padStart(String(this.total).length)}/${this.total}`;
    const timing = `${formatClock(elapsedS)} elapsed, ~${formatClock(leftS)} left`;
    if (this.tty) {
      const filled = Math.round((this.done / this.total) * BAR_WIDTH);
      const bar = `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}`;
      const line = `${bar} ${count}  ${label}  ${timing}`;
      // A line longer than the terminal would wrap and break the redraw.
      const columns = this.stream.columns > 0 ? this.stream.columns - 1 : line.length;
      this.stream.write(`\r${line.slice(0, columns)}\x1b[K`);
    } else {
      this.stream.write(`[${count}] ${label} (${timing})\n`);
    }
  }

  /** Marks the announced step finished. */
  advance(): void {
    this.done++;
  }

  /** Prints a message on its own line without garbling the progress line. */
  note(message: string): void {
    this.stream.write(this.tty ? `\r\x1b[K${message}\n` : `${message}\n`);
  }

  /** Ends the progress line. */
  finish(): void {
    const elapsedS = (performance.now() - this.startedAt) / 1000;
    const summary = `${this.done}/${this.total} measurements in ${formatClock(elapsedS)}`;
    this.stream.write(this.tty ? `\r\x1b[K${summary}\n` : `${summary}\n`);
  }
}
