import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../core/paths.js';

/**
 * Column comments written beside the DDL (`name type, -- what it means`), per table, read from every
 * `create table` under sql/. The DDL stays the one place a column is described; the catalog shows it.
 */
export function ddlColumnComments(root = fromRoot('sql')): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const file of sqlFiles(root)) {
    const text = readFileSync(file, 'utf8');
    const re = /create\s+table\s+(?:if\s+not\s+exists\s+)?([a-z_][a-z0-9_]*)\s*\(([\s\S]*?)\n\);/gi;
    for (const m of text.matchAll(re)) {
      const table = m[1].toLowerCase();
      const cols = out.get(table) ?? new Map<string, string>();
      for (const line of m[2].split('\n')) {
        const c = /^\s*([a-z_][a-z0-9_]*)\s+[^-]*--\s*(.+?)\s*$/i.exec(line);
        if (c) cols.set(c[1].toLowerCase(), c[2]);
      }
      out.set(table, cols);
    }
  }
  return out;
}

function sqlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sqlFiles(p));
    else if (e.name.endsWith('.sql')) out.push(p);
  }
  return out.sort();
}
