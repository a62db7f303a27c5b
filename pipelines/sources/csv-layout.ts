import { open, type FileHandle } from 'node:fs/promises';

/**
 * The record-layout pass of the CSV reader (read-file.ts): run when DuckDB's reader refuses a file or
 * reports a layout fault (a reject that swallowed line breaks, an unterminated quote, a line over its
 * size limit). DuckDB cannot recover from those per row: its sniffer refuses mixed line endings and a
 * lone CR, an unterminated quote swallows every later line into one rejected record, and its line
 * numbers count records, not physical lines.
 *
 * This pass walks the bytes once (RFC 4180 quoting with the configured one-byte delimiter and quote,
 * a doubled quote inside quotes), and writes the well-formed records to a copy with LF endings, which
 * DuckDB then reads as usual. For every record it keeps the physical line it starts on (lines counted by
 * LF, or by CR in a file without any LF), so every reject names the line an editor shows. Record faults
 * become rejects with a reason, and reading goes on:
 * - a lone CR (not followed by LF) outside quotes;
 * - a quote that is never closed, or a multi-line quoted field followed by text: that record's first
 *   physical line is rejected and reading resumes on the next line (the quote was a typo, not a field);
 * - a record longer than the size limit (2 MiB, DuckDB's own per-line limit), naming its longest field;
 * - a quote inside an unquoted field, or text after a closing quote.
 * Mixed LF/CRLF endings are not a fault: each record's own ending is dropped.
 */

export const MAX_RECORD_BYTES = 2 * 1024 * 1024;
/** Raw text kept per rejected record (rejected_rows.raw_row). */
const RAW_KEEP = 4096;
const CHUNK = 1 << 20;
const LF = 10;
const CR = 13;

export interface LayoutReject {
  line: number;
  reason: string;
  raw: string;
}

export interface LayoutResult {
  /** Physical line of each record written to the copy, in order (header included when present). */
  lines: number[];
  rejects: LayoutReject[];
  /** Header line problem: the header itself is malformed (the file cannot be read). */
  headerProblem?: { line: number; reason: string };
}

export interface LayoutOptions {
  delim: number;
  quote: number;
  header: boolean;
  maxRecordBytes?: number;
}

/** A window over the file: bytes [start, start + len) of it, refilled on demand. */
class Window {
  buf = Buffer.alloc(0);
  start = 0;
  eof = false;
  constructor(private readonly fh: FileHandle) {}
  get end(): number {
    return this.start + this.buf.length;
  }
  /** Reads the next chunk, dropping the bytes before `keepFrom`. */
  async fill(keepFrom: number): Promise<void> {
    const keep = this.buf.subarray(Math.max(0, keepFrom - this.start));
    const next = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await this.fh.read(next, 0, CHUNK, this.end);
    if (bytesRead === 0) this.eof = true;
    this.start = this.end - keep.length;
    this.buf = Buffer.concat([keep, next.subarray(0, bytesRead)]);
  }
  at(pos: number): number {
    const i = pos - this.start;
    return i >= 0 && i < this.buf.length ? this.buf[i]! : -1;
  }
  slice(from: number, to: number): Buffer {
    return this.buf.subarray(from - this.start, to - this.start);
  }
}

function shown(b: Buffer): string {
  const s = b.toString('utf8');
  return s.length > RAW_KEEP ? `${s.slice(0, RAW_KEEP)}... (${b.length} bytes)` : s;
}

function mib(n: number): string {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Scans `file`, writes its well-formed records to `outFile`; see the module comment. */
export async function splitRecords(file: string, outFile: string, opts: LayoutOptions): Promise<LayoutResult> {
  const max = opts.maxRecordBytes ?? MAX_RECORD_BYTES;
  const { delim, quote } = opts;
  const fh = await open(file, 'r');
  const out = await open(outFile, 'w');
  const result: LayoutResult = { lines: [], rejects: [] };
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    await out.write(Buffer.concat(pending));
    pending = [];
    pendingBytes = 0;
  };
  const emit = async (b: Buffer) => {
    pending.push(Buffer.from(b), Buffer.from([LF]));
    pendingBytes += b.length + 1;
    if (pendingBytes >= CHUNK) await flush();
  };
  try {
    const w = new Window(fh);
    await w.fill(0);
    // A file without any LF in its first chunk but with CRs ends its lines with CR (classic Mac).
    const head = w.slice(w.start, w.end);
    const crLines = head.indexOf(LF) < 0 && head.indexOf(CR) >= 0;
    let pos = 0;
    let line = 1;
    let lineStart = 0;
    let headerDone = !opts.header;

    // Record state.
    let recStart = 0;
    let recLine = 1;
    let state = 0; // 0 field start, 1 unquoted, 2 quoted, 3 after closing quote
    let fieldStart = 0;
    let fieldNo = 1;
    let longest = 0;
    let longestNo = 0;
    let problem: string | null = null;
    let firstLfEnd = -1;
    let quoteOpenLine = 0;
    let quoteOpenCol = 0;
    let over = false;
    let overPrefix: Buffer | null = null;
    const begin = () => {
      recStart = pos;
      recLine = line;
      state = 0;
      fieldStart = pos;
      fieldNo = 1;
      longest = 0;
      longestNo = 0;
      problem = null;
      firstLfEnd = -1;
      over = false;
      overPrefix = null;
    };
    const endField = (at: number) => {
      if (at - fieldStart > longest) {
        longest = at - fieldStart;
        longestNo = fieldNo;
      }
    };
    const reject = (lineNo: number, reason: string, raw: string) => {
      if (!headerDone) {
        result.headerProblem = { line: lineNo, reason };
        headerDone = true;
        return;
      }
      result.rejects.push({ line: lineNo, reason, raw });
    };
    /** The quote opened in this record never closes properly: reject its first line, resume on the next. */
    const unterminated = () => {
      const lineEnd = firstLfEnd < 0 ? w.end : firstLfEnd - 1;
      let text = overPrefix ?? w.slice(recStart, Math.min(lineEnd, recStart + RAW_KEEP + 1));
      if (text.at(-1) === CR) text = text.subarray(0, -1);
      reject(
        recLine,
        `unterminated quote: the quote at line ${quoteOpenLine} column ${quoteOpenCol} is never closed (or is followed by text); this line is skipped and reading resumes on the next line`,
        shown(text),
      );
      pos = firstLfEnd < 0 ? w.end : firstLfEnd;
      line = recLine + 1;
      lineStart = pos;
      begin();
    };
    begin();
    for (;;) {
      // Keep one byte of look-ahead (a doubled quote, CRLF) in the window.
      if (pos + 1 >= w.end && !w.eof) {
        await w.fill(over ? pos : recStart);
        continue;
      }
      if (!over && pos - recStart > max && !(state === 2 && firstLfEnd >= 0)) {
        over = true;
        overPrefix = Buffer.from(w.slice(recStart, recStart + RAW_KEEP));
      }
      const b = w.at(pos);
      if (b < 0) {
        if (state === 2) {
          unterminated();
          continue;
        }
        if (pos > recStart) await finish(pos);
        break;
      }
      if (state === 2) {
        if (b === quote) {
          if (w.at(pos + 1) === quote) pos += 2;
          else {
            state = 3;
            pos++;
          }
          continue;
        }
        if (b === LF || (crLines && b === CR)) {
          line++;
          lineStart = pos + 1;
          if (firstLfEnd < 0) firstLfEnd = pos + 1;
          // A quoted field spanning lines past the limit is taken for an unterminated quote.
          if (pos - recStart > max) {
            unterminated();
            continue;
          }
        }
        pos++;
        continue;
      }
      if (b === LF || (crLines && b === CR)) {
        let end = pos;
        if (!crLines && end > recStart && w.at(end - 1) === CR) end--;
        pos++;
        await finish(end);
        line++;
        lineStart = pos;
        begin();
        continue;
      }
      if (b === CR) {
        if (w.at(pos + 1) !== LF) problem ??= `a lone carriage return (CR) at line ${line} column ${pos - lineStart + 1}: line endings must be LF or CRLF`;
        pos++;
        continue;
      }
      if (b === delim) {
        endField(pos);
        fieldNo++;
        fieldStart = pos + 1;
        state = 0;
        pos++;
        continue;
      }
      if (b === quote) {
        if (state === 0) {
          state = 2;
          quoteOpenLine = line;
          quoteOpenCol = pos - lineStart + 1;
          pos++;
          continue;
        }
      }
      if (state === 3) {
        // Text after a closing quote: when that quote closed a field spanning lines, the opening quote
        // was the mistake, not the line break.
        if (firstLfEnd >= 0) {
          unterminated();
          continue;
        }
        problem ??= `text after the closing quote at line ${line} column ${pos - lineStart + 1}`;
      } else if (b === quote) {
        problem ??= `a quote inside an unquoted field at line ${line} column ${pos - lineStart + 1}: quote the whole field and double the quote`;
      }
      state = 1;
      pos++;
    }
    await flush();
    return result;

    async function finish(end: number): Promise<void> {
      endField(end);
      if (end === recStart) return; // blank line: not a record
      if (over || end - recStart > max) {
        reject(
          recLine,
          `record over the ${mib(max)} limit: field ${longestNo} alone is ${mib(longest)} (${longest} bytes)`,
          shown(overPrefix ?? w.slice(recStart, recStart + RAW_KEEP)),
        );
        return;
      }
      if (problem) {
        reject(recLine, problem, shown(w.slice(recStart, end)));
        return;
      }
      headerDone = true;
      result.lines.push(recLine);
      await emit(w.slice(recStart, end));
    }
  } finally {
    await fh.close();
    await out.close();
  }
}
