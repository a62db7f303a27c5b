import { quoteIdent } from '../core/sql-ident.js';
import type { ConnDb } from '../core/warehouse.js';
import type { SourceSpec } from './source-specs.js';
import { stagedTable } from './stage.js';

export interface MergeCounts {
  loaded: number;
  updated: number;
  duplicate: number;
}

/**
 * Merges the valid staged rows of one source into its canonical table, set-based:
 *
 * - rows are ordered by (file order, line); for each key the first row is compared with the row already
 *   in the table (if any) and every later row with the row before it, by a hash of the typed content:
 *   no stored row -> loaded, same content -> duplicate, different content -> updated;
 * - the last row of each key is what the table ends with: inserted when the key is new, written with
 *   `update ... from` when its content differs from the stored row.
 *
 * Fast path: rows whose key occurs once in the batch and is not stored yet (nearly all rows of a first
 * load or of new files) are plainly `loaded` and go straight from the staged table into the target;
 * only the "touchy" keys (repeated in the batch, or already stored) are classified in cxp_cls, with a
 * window over just their rows. The hash only ever compares rows with the same key inside one run, so it
 * never needs to be stored.
 */
export async function mergeSource(
  db: ConnDb,
  spec: SourceSpec,
  runId: string,
  withAnswers: boolean,
  loadedAt: Date = new Date(),
  /** Staged rows stand for this many source rows (line-grained purchases: the order's lines). */
  weightColumn?: string,
  /** The caller knows no key occurs twice among the valid staged rows (staging counted them per file). */
  uniqueKeys = false,
): Promise<MergeCounts> {
  const stg = quoteIdent(stagedTable(spec));
  const w = weightColumn ? quoteIdent(weightColumn) : undefined;
  const target = quoteIdent(spec.table);
  const key = quoteIdent(spec.key);
  const content = spec.content.map(quoteIdent);
  const stored = `select t.${key} from ${target} t semi join (select ${key} from ${stg} where reject_reason is null) v on v.${key} = t.${key}`;
  await db.run(
    uniqueKeys
      ? `create or replace temp table cxp_touchy as ${stored}`
      : `create or replace temp table cxp_touchy as
         select ${key} from ${stg} where reject_reason is null group by ${key} having count(*) > 1
         union
         ${stored}`,
  );

  const fastWeight = w
    ? Number(
        (await db.one<{ n: number }>(
          `select coalesce(sum(s.${w}), 0) as n from ${stg} s anti join cxp_touchy k on k.${key} = s.${key} where s.reject_reason is null`,
        ))?.n ?? 0,
      )
    : undefined;
  const fast = await db.all<{ Count: number }>(
    `insert into ${target} (${key}, ${content.join(', ')}, loaded_run_id)
     select s.${key}, ${content.map((c) => `s.${c}`).join(', ')}, $1
     from ${stg} s anti join cxp_touchy k on k.${key} = s.${key}
     where s.reject_reason is null`,
    [runId],
  );
  const fastLoaded = fastWeight ?? Number(fast[0]?.Count ?? 0);
  if (withAnswers && fastLoaded > 0) {
    await db.run(
      `insert into survey_answers (response_id, question, score)
       select response_id, a.question, a.score
       from (select s.response_id, unnest(s._answers) as a
             from ${stg} s anti join cxp_touchy k on k.response_id = s.response_id
             where s.reject_reason is null)`,
    );
  }

  // No touchy key (a first load, or only new keys): nothing to classify. cxp_cls would be empty, but
  // building it still scans the staged rows and the whole target table.
  const touchy = Number((await db.one<{ n: number }>('select count(*) as n from cxp_touchy'))?.n ?? 0);
  if (touchy === 0) {
    await db.run('drop table cxp_touchy');
    return { loaded: fastLoaded, updated: 0, duplicate: 0 };
  }

  await db.run(`
    create or replace temp table cxp_cls as
    with valid as (
        select s.${key}, ${content.map((c) => `s.${c}`).join(', ')}, s._file_idx, s._line${withAnswers ? ', s._answers' : ''},
               ${w ? `s.${w}` : '1'} as _weight,
               hash(${content.map((c) => `s.${c}`).join(', ')}${withAnswers ? ', list_sort(s._answers)' : ''}) as _h
        from ${stg} s semi join cxp_touchy k on k.${key} = s.${key}
        where s.reject_reason is null
    ),
    sequenced as (
        select *,
               lag(_h) over w as _prev_h,
               lead(_line) over w is null as _is_last
        from valid
        window w as (partition by ${key} order by _file_idx, _line)
    ),
    existing as (
        select t.${key}, hash(${spec.content.map((c) => `t.${quoteIdent(c)}`).join(', ')}${
          withAnswers ? ', coalesce(a.answers, [])' : ''
        }) as _eh
        from ${target} t
        ${
          withAnswers
            ? `left join (
                 select response_id, list({'question': question, 'score': score} order by question, score) as answers
                 from survey_answers where response_id in (select response_id from valid) group by response_id
               ) a on a.response_id = t.response_id`
            : ''
        }
        where t.${key} in (select ${key} from valid)
    )
    select s.*, e._eh,
           case
               when s._prev_h is null and e._eh is null then 'loaded'
               when coalesce(s._prev_h, e._eh) = s._h then 'duplicate'
               else 'updated'
           end as _outcome
    from sequenced s left join existing e on e.${key} = s.${key}`);

  const stats = await db.one<{ loaded: number; updated: number; duplicate: number; inserts: number; writes: number }>(
    `select coalesce(sum(_weight) filter (where _outcome = 'loaded'), 0) as loaded,
            coalesce(sum(_weight) filter (where _outcome = 'updated'), 0) as updated,
            coalesce(sum(_weight) filter (where _outcome = 'duplicate'), 0) as duplicate,
            count(*) filter (where _is_last and _eh is null) as inserts,
            count(*) filter (where _is_last and _eh is not null and _h <> _eh) as writes
     from cxp_cls`,
  );
  const counts: MergeCounts = {
    loaded: fastLoaded + Number(stats?.loaded ?? 0),
    updated: Number(stats?.updated ?? 0),
    duplicate: Number(stats?.duplicate ?? 0),
  };
  if (stats?.inserts) {
    await db.run(
      `insert into ${target} (${key}, ${content.join(', ')}, loaded_run_id)
       select ${key}, ${content.join(', ')}, $1 from cxp_cls where _is_last and _eh is null`,
      [runId],
    );
  }
  // A purchase whose status changes keeps the status it had and when the change arrived (point-in-time
  // features must not see a refund loaded after their cutoff). Right-hand sides read the old row.
  const statusHistory =
    spec.source === 'purchases'
      ? `, previous_status = case when t.status is distinct from f.status then t.status else t.previous_status end,
         status_changed_at = case when t.status is distinct from f.status then $2::timestamp else t.status_changed_at end`
      : '';
  // Skipped when nothing changed: even an empty update ... from scans the whole classified table.
  if (stats?.writes) {
    await db.run(
      `update ${target} t set ${content.map((c) => `${c} = f.${c}`).join(', ')}, updated_run_id = $1${statusHistory}
       from cxp_cls f
       where f._is_last and f._eh is not null and f._h <> f._eh and t.${key} = f.${key}`,
      spec.source === 'purchases' ? [runId, loadedAt] : [runId],
    );
  }
  if (withAnswers && stats?.writes) {
    await db.run(
      `delete from survey_answers where response_id in (
         select response_id from cxp_cls where _is_last and _eh is not null and _h <> _eh)`,
    );
  }
  if (withAnswers && (stats?.inserts || stats?.writes)) {
    await db.run(
      `insert into survey_answers (response_id, question, score)
       select response_id, a.question, a.score
       from (select response_id, unnest(_answers) as a from cxp_cls where _is_last and (_eh is null or _h <> _eh))`,
    );
  }
  await db.run('drop table cxp_cls');
  await db.run('drop table cxp_touchy');
  return counts;
}

/** Customers referenced by a source's valid staged rows but unknown to the warehouse become bare customers. */
export async function createBareCustomers(db: ConnDb, spec: SourceSpec, runId: string): Promise<number> {
  const stg = quoteIdent(stagedTable(spec));
  const rows = await db.all<{ Count: number }>(
    `insert into customers (customer_id, marketing_consent, is_bare, loaded_run_id)
     select s.customer_id, false, true, $1
     from (select distinct customer_id from ${stg} where reject_reason is null) s
     anti join customers c on c.customer_id = s.customer_id`,
    [runId],
  );
  return Number(rows[0]?.Count ?? 0);
}
