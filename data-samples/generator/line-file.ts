// A buffered, line-oriented output file written under a temporary name and renamed on close, so a crashed
// run never leaves a half-written source behind. Supports rows injected after a given data-row count
// (the deliberately bad rows of the demo) and remembers its first rows so injections can copy them.
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export interface Injection {
  /** Write before the data row that would make the count exceed this (i.e. after this many rows). */
  afterRows: number;
  /** The line to write; null skips it (e.g. nothing to copy in a tiny run). */
  make: () => string | null;
  /** Called with the 1-based physical line number the row landed on. */
  written: (line: number, text: string) => void;
}

const FLUSH_AT = 1 << 20;

export class LineFile {
  /** Data rows written, injected rows included. */
  rows = 0;
  readonly captured: string[] = [];
  private lines = 0;
  private buf: string[] = [];
  private bufLen = 0;
  private readonly fd: number;
  readonly tmp: string;
  private pending: Injection[] = [];

  constructor(readonly path: string, header: string | null, private readonly captureFirst = 0) {
    this.tmp = `${path}.tmp`;
    this.fd = openSync(this.tmp, 'w');
    if (header !== null) this.raw(header);
  }

  inject(i: Injection): void {
    this.pending.push(i);
    this.pending.sort((a, b) => a.afterRows - b.afterRows);
  }

  write(line: string): void {
    while (this.pending.length > 0 && this.rows >= this.pending[0].afterRows) this.flushInjection();
    if (this.captured.length < this.captureFirst) this.captured.push(line);
    this.rows++;
    this.raw(line);
  }

  private flushInjection(): void {
    const inj = this.pending.shift()!;
    const text = inj.make();
    if (text === null) return;
    this.rows++;
    this.raw(text);
    inj.written(this.lines, text);
  }

  private raw(line: string): void {
    this.lines++;
    this.buf.push(line);
    this.bufLen += line.length + 1;
    if (this.bufLen >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.buf.length === 0) return;
    writeSync(this.fd, this.buf.join('\n') + '\n');
    this.buf = [];
    this.bufLen = 0;
  }

  /** Append injections still pending (small runs), then flush, close and (unless told not to) rename into place. */
  close(rename = true): void {
    while (this.pending.length > 0) this.flushInjection();
    this.flush();
    closeSync(this.fd);
    if (rename) this.commit();
  }

  commit(): void {
    renameSync(this.tmp, this.path);
  }

  abort(): void {
    try { closeSync(this.fd); } catch { /* already closed */ }
    rmSync(this.tmp, { force: true });
  }
}
