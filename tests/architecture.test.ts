import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../pipelines/core/paths.js';
import { buildImportGraph, findCycles, layerViolations, relativeImports, type ImportGraph } from './helpers/import-graph.js';

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

describe('the import checker itself', () => {
  it('reads static, re-export, side-effect and dynamic imports, and skips packages and comments', () => {
    const src = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "import {\n  c,\n  d,\n} from './cd.js';",
      "export { e } from './e.js';",
      "export * from './f.js';",
      "import './side.js';",
      "const g = await import('./g.js');",
      "import { readFileSync } from 'node:fs';",
      "// import { no } from './commented.js';",
      "/* import { no2 } from './block.js'; */",
    ].join('\n');
    expect(relativeImports(src).sort()).toEqual(['../b.js', './a.js', './cd.js', './e.js', './f.js', './g.js', './side.js']);
  });

  it('finds a planted cycle and names its files in order', () => {
    const g = graphOf({ 'models/x/a.ts': ['models/x/b.ts'], 'models/x/b.ts': ['models/x/c.ts'], 'models/x/c.ts': ['models/x/a.ts'], 'models/x/d.ts': ['models/x/a.ts'] });
    expect(findCycles(g)).toEqual([['models/x/a.ts', 'models/x/b.ts', 'models/x/c.ts', 'models/x/a.ts']]);
    expect(findCycles(graphOf({ 'a.ts': ['b.ts'], 'b.ts': [] }))).toEqual([]);
    expect(findCycles(graphOf({ 'a.ts': ['a.ts'] }))).toEqual([['a.ts', 'a.ts']]);
  });

  it('flags each kind of upward import, and accepts the allowed ones', () => {
    const g = graphOf({
      'pipelines/core/x.ts': ['pipelines/config/types.ts', 'pipelines/core/y.ts'],
      'models/m/a.ts': ['pipelines/jobs/types.ts', 'pipelines/core/x.ts', 'models/n/b.ts', 'dashboards/app.ts'],
      'dashboards/d.ts': ['pipelines/scheduler/s.ts', 'pipelines/core/x.ts', 'models/m/a.ts'],
      'pipelines/jobs/j.ts': ['dashboards/d.ts', 'models/m/a.ts'],
      'pipelines/cli/c.ts': ['dashboards/d.ts'],
    });
    expect(layerViolations(g)).toEqual([
      'dashboards/d.ts -> pipelines/scheduler/s.ts: dashboards/ imports no pipelines/* but pipelines/core (the job runner and config are injected)',
      'models/m/a.ts -> dashboards/app.ts: models/ imports only models/ and pipelines/core',
      'models/m/a.ts -> dashboards/app.ts: only pipelines/cli imports dashboards/',
      'models/m/a.ts -> pipelines/jobs/types.ts: models/ imports only models/ and pipelines/core',
      'pipelines/core/x.ts -> pipelines/config/types.ts: pipelines/core (the bottom floor) imports nothing outside pipelines/core',
      'pipelines/jobs/j.ts -> dashboards/d.ts: only pipelines/cli imports dashboards/',
    ]);
  });
});

describe('the project layout (docs/architecture.md)', () => {
  const graph = buildImportGraph(fromRoot(), ['pipelines', 'models', 'dashboards']);

  it('reads the whole tree', () => {
    // Guards against a checker that silently sees nothing.
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('models/modules.ts')).toContain('models/churn/module.ts');
  });

  it('has no import cycle between files', () => {
    expect(findCycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('keeps every import on its floor or below', () => {
    expect(layerViolations(graph)).toEqual([]);
  });
});

describe('how the as-of reaches SQL (docs/architecture.md)', () => {
  // One way: a DATE value bound through pipelines/core/sql-date.ts ($as_of, sqlDate) or the transform's DATE
  // variable getvariable('as_of'); never text or a timestamp cast to a date where it is used.
  const CAST_DATE = /\$[a-z_0-9]+\s*::\s*date\b|cast\(\s*\$[a-z_0-9]+\s+as\s+date\s*\)|getvariable\('as_of'\)\s*::/gi;
  const files = (dir: string, ext: string): string[] =>
    readdirSync(fromRoot(dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(ext)).map((f) => join(dir, f));

  it('finds the sources it checks', () => {
    expect(files('sql', '.sql').length).toBeGreaterThan(10);
    expect(files('pipelines', '.ts').length).toBeGreaterThan(50);
  });

  it('no SQL casts a bound parameter or the as_of variable to a date', () => {
    const found: string[] = [];
    for (const f of [...files('sql', '.sql'), ...['pipelines', 'models', 'dashboards'].flatMap((d) => files(d, '.ts'))]) {
      const text = readFileSync(fromRoot(f), 'utf8');
      for (const m of text.matchAll(CAST_DATE)) found.push(`${f}:${text.slice(0, m.index).split('\n').length}: ${m[0]}`);
    }
    expect(found).toEqual([]);
  });

  it('the pattern catches each old way', () => {
    for (const old of ['cast($as_of as date)', '$as_of::date', '$1::date', "getvariable('as_of')::date"]) expect(old.match(CAST_DATE)).not.toBeNull();
    for (const ok of ['$as_of', "getvariable('as_of') - 89", "c.signup_at::date"]) expect(ok.match(CAST_DATE)).toBeNull();
  });
});
