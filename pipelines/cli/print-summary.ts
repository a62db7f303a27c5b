import { basename } from 'node:path';
import type { RunOutcome } from '../jobs/run-pipeline.js';
import type { TopReject } from '../sources/top-rejects.js';

interface SourceCounts {
  read?: number;
  loaded?: number;
  updated?: number;
  duplicate?: number;
  rejected?: number;
  conflicts?: number;
  files?: number;
  skipped_files?: number;
}

function pad(s: string | number, n: number, right = false): string {
  const t = String(s);
  return right ? t.padStart(n) : t.padEnd(n);
}

/** The run summary `cxpulse run` prints: per-source counts, then one line per job. */
export function printRunSummary(outcome: RunOutcome, out: NodeJS.WritableStream): void {
  out.write(`run ${outcome.runId}  ${outcome.status}  as_of ${outcome.asOf ?? '-'}  ${((outcome.finishedAt.getTime() - outcome.startedAt.getTime()) / 1000).toFixed(1)} s\n`);
  const ingest = outcome.results.ingest as { sources?: Record<string, SourceCounts>; top_rejects?: Record<string, TopReject[]> } | undefined;
  const sources = ingest?.sources;
  if (sources && Object.keys(sources).length > 0) {
    out.write(`\n  ${pad('source', 14)}${pad('read', 10, true)}${pad('loaded', 10, true)}${pad('updated', 10, true)}${pad('duplicate', 11, true)}${pad('rejected', 10, true)}\n`);
    for (const [name, c] of Object.entries(sources)) {
      out.write(
        `  ${pad(name, 14)}${pad(c.read ?? 0, 10, true)}${pad(c.loaded ?? 0, 10, true)}${pad(c.updated ?? 0, 10, true)}${pad(c.duplicate ?? 0, 11, true)}${pad(c.rejected ?? 0, 10, true)}\n`,
      );
    }
    const why = Object.entries(ingest?.top_rejects ?? {}).filter(([, top]) => top.length);
    if (why.length) {
      // Why, at once: the commonest reasons, where the first such row is, and the setting that would read it.
      out.write('\n  rejected rows, commonest reasons (each with file, line and raw text in table rejected_rows):\n');
      for (const [name, top] of why) {
        for (const t of top) {
          out.write(`  ${pad(name, 14)}${pad(t.count, 8, true)}  ${t.reason}  (first: ${basename(t.file)}${t.line === null ? '' : ` line ${t.line}`})\n`);
          if (t.hint) out.write(`  ${pad('', 24)}-> ${t.hint}\n`);
        }
      }
    }
    for (const [name, c] of Object.entries(sources)) {
      if (c.conflicts) {
        out.write(
          `\n  ! ${name}: ${c.conflicts} row(s) rejected as key conflicts (one key, different content in the same file); ` +
            `see rejected_rows (reason "conflict: ...")\n`,
        );
      }
    }
    out.write('\n');
  }
  for (const [job, summary] of Object.entries(outcome.results)) {
    if (job === 'ingest') continue;
    const upToDate = (summary as { up_to_date?: { since_run_id: string } }).up_to_date;
    if (upToDate) {
      out.write(`  ${pad(job, 10)} up to date: nothing it reads changed since run ${upToDate.since_run_id} (cxpulse run --full runs it anyway)\n`);
      continue;
    }
    const brief = JSON.stringify(summary, (_k, v) => (typeof v === 'bigint' ? Number(v) : v));
    out.write(`  ${pad(job, 10)} ${brief.length > 160 ? brief.slice(0, 157) + '...' : brief}\n`);
  }
}
