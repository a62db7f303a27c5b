import { alertsProblems } from '../alerts/alert-rules.js';
import type { Config } from '../config/types.js';
import type { SourceName } from '../config/schema.js';
import { Warehouse } from '../core/warehouse.js';
import { CxpError } from '../core/errors.js';
import { writablePathsProblems } from '../core/writable-paths.js';
import { JOB_NAMES } from '../jobs/registry.js';
import { scheduleProblems } from '../scheduler/schedule-config.js';
import { formatOf, listSourceFiles } from '../sources/source-files.js';
import { resolvePostgresUrl } from '../sources/postgres-source.js';
import { deliveryProblems } from '../triggers/deliver.js';
import { triggersProblems } from '../triggers/rules.js';

/**
 * Every config check a job or the server would run later, beyond what loading already checked
 * (schema, section rules, each module's `problems`): trigger rules (fields, operators, endpoints),
 * schedules (cron expressions, job names, time zone, the digest's cron), webhook signing secrets in this
 * environment, KPI alert channels (endpoint, SMTP server and password variable, digest recipients),
 * that every file source's path matches a file of a format the ingest reads, that every database source's
 * URL variable is set, and that the warehouse file and exports.dir can be written (core/writable-paths.ts).
 * Uses the same functions the jobs use, so when this
 * returns nothing no job rejects the file for a config reason. Each problem names its key.
 */
export async function configProblems(config: Config, env: Record<string, string | undefined> = process.env): Promise<string[]> {
  const out = [
    ...writablePathsProblems(config).map((e) => `${e.message}; ${String(e.details.hint)}`),
    ...triggersProblems(config),
    ...scheduleProblems(config, JOB_NAMES),
    ...deliveryProblems(config, env),
    ...alertsProblems(config, env),
  ];
  const wh = await Warehouse.open(':memory:');
  try {
    for (const [name, src] of Object.entries(config.sources)) {
      if (!src) continue;
      if (src.type === 'postgres') {
        // The ingest would read the URL from the environment first; connecting is left to the run.
        try {
          resolvePostgresUrl(name as SourceName, src.url ?? '', env);
        } catch (err) {
          out.push(`sources.${name}.url: ${(err as Error).message}`);
        }
        continue;
      }
      let files: string[];
      try {
        files = await listSourceFiles(wh, name as SourceName, src);
      } catch (err) {
        out.push(`sources.${name}.path: ${(err as Error).message}`);
        continue;
      }
      // A file whose format the ingest cannot tell (or will not read: a spreadsheet), named once per source.
      const unreadable = files.flatMap((f) => {
        try {
          formatOf(name as SourceName, src, f);
          return [];
        } catch (err) {
          return [err instanceof CxpError ? `${err.message}; ${String(err.details.hint)}` : (err as Error).message];
        }
      });
      if (unreadable.length) {
        out.push(`sources.${name}.path: ${unreadable[0]}${unreadable.length > 1 ? ` (and ${unreadable.length - 1} more files)` : ''}`);
      }
    }
  } finally {
    wh.close();
  }
  return out;
}
