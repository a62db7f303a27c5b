import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fromRoot } from '../core/paths.js';

/** The layers the transform job materialises, in order. Staging belongs to ingestion. */
export const TRANSFORM_LAYERS = ['intermediate', 'marts'] as const;

export interface SqlModel {
  name: string;
  layer: string;
  file: string;
  sql: string;
  /** Other models this one reads (found by name after from/join). */
  dependsOn: string[];
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** Reads sql/<layer>/*.sql: one model per file, file name = table name. */
export function discoverModels(root = fromRoot('sql'), layers: readonly string[] = TRANSFORM_LAYERS): SqlModel[] {
  const models: SqlModel[] = [];
  for (const layer of layers) {
    const dir = join(root, layer);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!f.endsWith('.sql') || f.endsWith('.test.sql')) continue;
      const file = join(dir, f);
      models.push({ name: basename(f, '.sql'), layer, file, sql: readFileSync(file, 'utf8'), dependsOn: [] });
    }
  }
  const names = new Set(models.map((m) => m.name));
  for (const m of models) {
    const body = stripComments(m.sql).toLowerCase();
    const refs = new Set<string>();
    for (const match of body.matchAll(/\b(?:from|join)\s+"?([a-z_][a-z0-9_]*)"?/g)) {
      const ref = match[1];
      if (ref !== m.name && names.has(ref)) refs.add(ref);
    }
    m.dependsOn = [...refs].sort();
  }
  return models;
}

/** Orders models so every model comes after the ones it reads; throws on a cycle, naming it. */
export function orderModels(models: SqlModel[]): SqlModel[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const done = new Set<string>();
  const visiting: string[] = [];
  const out: SqlModel[] = [];
  const visit = (m: SqlModel) => {
    if (done.has(m.name)) return;
    const at = visiting.indexOf(m.name);
    if (at >= 0) throw new Error(`sql models form a cycle: ${[...visiting.slice(at), m.name].join(' -> ')}`);
    visiting.push(m.name);
    for (const d of m.dependsOn) visit(byName.get(d)!);
    visiting.pop();
    done.add(m.name);
    out.push(m);
  };
  for (const m of models) visit(m);
  return out;
}
