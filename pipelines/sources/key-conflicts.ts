import { quoteIdent } from '../core/sql-ident.js';
import type { ConnDb } from '../core/warehouse.js';
import type { SourceSpec } from './source-specs.js';

/** How many lines a conflict reason lists before "and N more". */
const LINES_SHOWN = 5;

/**
 * A key repeated within ONE FILE with different content is a conflict: the file says two different
 * things about one order (customer, interaction, response) and nothing tells which is right. Every row of
 * that key in that file is rejected with the lines involved, and the run summary reports them as
 * conflicts: never silently "last line wins", never counted as an update. The same content repeated is a
 * duplicate, as before; a key changed between files (a later snapshot) is an update, in file order.
 *
 * Runs after staging and plausibility on the valid rows of `fileIdx`; returns the rows it rejected, and
 * how many keys occur more than once among those valid rows (0: every key of the file is unique, which
 * the merge may rely on when it is the run's only file of the source).
 */
export async function rejectKeyConflicts(
  db: ConnDb,
  spec: SourceSpec,
  table: string,
  fileIdx: number,
): Promise<{ conflicts: number; repeatedKeys: number }> {
  const t = quoteIdent(table);
  const key = quoteIdent(spec.key);
  const content = [...spec.content.map((c) => `s.${quoteIdent(c)}`), ...(spec.source === 'surveys' ? ['list_sort(s._answers)'] : [])];
  await db.run(
    `create or replace temp table cxp_repeated as
     select ${key} as k from ${t} where _file_idx = ${fileIdx} and reject_reason is null group by ${key} having count(*) > 1`,
  );
  const repeatedKeys = Number((await db.one<{ n: number }>('select count(*) as n from cxp_repeated'))?.n ?? 0);
  if (repeatedKeys === 0) {
    await db.run('drop table cxp_repeated');
    return { conflicts: 0, repeatedKeys };
  }
  await db.run(
    `create or replace temp table cxp_conflicts as
     select ${key} as k, count(*) as n, list(_line order by _line) as lines
     from (select s.${key}, s._line, hash(${content.join(', ')}) as h
           from ${t} s
           where s._file_idx = ${fileIdx} and s.reject_reason is null
             and s.${key} in (select k from cxp_repeated))
     group by ${key}
     having count(distinct h) > 1`,
  );
  await db.run('drop table cxp_repeated');
  const n = Number((await db.one<{ n: number | null }>('select sum(n)::bigint as n from cxp_conflicts'))?.n ?? 0);
  if (n > 0) {
    await db.run(
      `update ${t} s set reject_reason = 'conflict: ${spec.key} "' || c.k || '" appears on lines '
         || array_to_string(c.lines[1:${LINES_SHOWN}], ', ')
         || case when c.n > ${LINES_SHOWN} then ' and ' || (c.n - ${LINES_SHOWN}) || ' more' else '' end
         || ' of this file with different content; none of them loaded (make the key unique, or split the file into snapshots)'
       from cxp_conflicts c
       where s._file_idx = ${fileIdx} and s.reject_reason is null and s.${key} = c.k`,
    );
  }
  await db.run('drop table cxp_conflicts');
  return { conflicts: n, repeatedKeys };
}
