import type { SourceConfig } from '../config/types.js';
import type { ConnDb } from '../core/warehouse.js';

/**
 * The most common reasons rows of one run were rejected, per source, so the run's summary can say why at
 * once instead of leaving the user to query rejected_rows. A reason's values are elided (its first quoted
 * text, and every word with a digit: "unparseable timestamp "…" in ordered_at", "score … outside … for
 * nps"), so rows failing the same way count together and no value of a row (which may be personal data)
 * is copied into the run's summary; the first such row is named by file and line.
 */
export interface TopReject {
  reason: string;
  count: number;
  file: string;
  line: number | null;
  /** What to change when the reason is a setting the source lacks (a timestamp or number format). */
  hint?: string;
}

/** Up to `per` reasons per source, most rows first. Reads the run's cxp_rejects (already scrubbed of erased customers). */
export async function topRejects(db: ConnDb, per = 3): Promise<Record<string, TopReject[]>> {
  const rows = await db.all<{ source: string; reason: string; n: number | bigint; file: string; line: number | bigint | null }>(
    `select source, reason, count(*) as n, first(file order by file, line) as file, first(line order by file, line) as line
     from (
       select source, regexp_replace(regexp_replace(reason, '"[^"]*"', '"…"'), '[^\\s"(]*[0-9][^\\s":)]*', '…', 'g') as reason, file, line
       from cxp_rejects
     )
     group by source, reason
     qualify row_number() over (partition by source order by count(*) desc, reason) <= $1
     order by source, n desc, reason`,
    [per],
  );
  const out: Record<string, TopReject[]> = {};
  for (const r of rows) {
    (out[r.source] ??= []).push({ reason: r.reason, count: Number(r.n), file: r.file, line: r.line === null ? null : Number(r.line) });
  }
  return out;
}

/** The setting that reads what a reason could not, when the source has not set it. */
export function rejectHint(source: string, reason: string, cfg: SourceConfig | undefined): string | undefined {
  if (/^unparseable timestamp /.test(reason) && !cfg?.timestampFormat) {
    return `dates written another way (e.g. 03/31/2026 or 31.03.2026): set sources.${source}.timestampFormat to their strptime format, e.g. "%m/%d/%Y %H:%M" or "%d.%m.%Y"`;
  }
  return undefined;
}
