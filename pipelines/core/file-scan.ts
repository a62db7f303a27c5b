import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Whether the raw bytes of a file contain any of `needles` (UTF-8), streamed in 4 MB chunks with an
 * overlap so a match across a chunk boundary is found. Used to verify erasure in the warehouse file.
 */
export function fileContainsAny(path: string, needles: string[]): boolean {
  const pats = needles.filter((n) => n.length > 0).map((n) => Buffer.from(n, 'utf8'));
  if (pats.length === 0) return false;
  const overlap = Math.max(...pats.map((p) => p.length)) - 1;
  const chunk = 4 << 20;
  const buf = Buffer.alloc(chunk + overlap);
  const fd = openSync(path, 'r');
  try {
    let carried = 0;
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, carried, chunk, pos);
      if (n <= 0) return false;
      pos += n;
      const view = buf.subarray(0, carried + n);
      if (pats.some((p) => view.indexOf(p) >= 0)) return true;
      carried = Math.min(overlap, view.length);
      view.copy(buf, 0, view.length - carried);
    }
  } finally {
    closeSync(fd);
  }
}
