/**
 * The progress line a stream shows, if any (progress.ts draws it without a newline). A log line written
 * to the same stream meanwhile, such as a request logged by the server during a scheduled run, clears it
 * first, so the two never share a line; the progress line is drawn again at its next tick.
 */
const drawn = new WeakSet<NodeJS.WritableStream>();

export function lineDrawn(stream: NodeJS.WritableStream): void {
  drawn.add(stream);
}

/** Clears the progress line on `stream` if one is shown. */
export function clearDrawnLine(stream: NodeJS.WritableStream): void {
  if (drawn.delete(stream)) stream.write('\r\x1b[K');
}
