// The last few hundred log records, for the status page. Attached to the logger as a sink while a
// status server runs; a record costs one small object and, once the ring is full, drops the oldest.
import { addLogSink, type LogLevel, type LogRecord, type LogSource } from "../util/log.js";

/** A log record as the page receives it: numbered so a client can skip ones it already has. */
export interface LogLine {
  seq: number;
  /** Milliseconds since the Unix epoch. */
  time: number;
  level: LogLevel;
  source: LogSource;
  message: string;
}

/** Longer messages are cut (a page shows lines, and one huge message must not fill every client's buffer). */
export const MAX_MESSAGE_CHARS = 2000;

export class LogRing {
  private readonly lines: LogLine[] = [];
  private nextSeq = 1;
  private readonly detach: () => void;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`log ring: capacity must be a positive integer, got ${capacity}`);
    this.detach = addLogSink((record) => this.push(record));
  }

  private push({ level, source, message }: LogRecord): void {
    const text = message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}… (${message.length} chars)` : message;
    this.lines.push({ seq: this.nextSeq++, time: Date.now(), level, source, message: text });
    if (this.lines.length > this.capacity) this.lines.shift();
  }

  /** The sequence number the next record will get. */
  get next(): number {
    return this.nextSeq;
  }

  /** Records numbered `fromSeq` or later that are still in the ring, oldest first. */
  since(fromSeq: number): LogLine[] {
    const first = this.lines.findIndex((l) => l.seq >= fromSeq);
    return first < 0 ? [] : this.lines.slice(first);
  }

  close(): void {
    this.detach();
  }
}
