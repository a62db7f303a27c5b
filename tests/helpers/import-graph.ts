/**
 * The import graph of the project's own files and the layering rules of docs/architecture.md.
 * Kept apart from tests/architecture.test.ts so the checker itself is tested on small graphs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';

/** file -> files it imports; paths relative to the repository root, with '/' separators. */
export type ImportGraph = Map<string, string[]>;

/** Removes comments so commented-out or documented imports are not counted (strings are left alone). */
function stripComments(src: string): string {
  return src
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('//'))
    .join('\n');
}

const IMPORT_RES = [
  /\bimport\s+(?:type\s+)?[\s\S]*?\s+from\s+['"]([^'"]+)['"]/g, // import x from '...'; import type {...} from '...'
  /\bexport\s+(?:type\s+)?(?:\*|\{[\s\S]*?\})(?:\s+as\s+\w+)?\s+from\s+['"]([^'"]+)['"]/g, // export ... from '...'
  /\bimport\s+['"]([^'"]+)['"]/g, // import '...' (side effects)
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('...')
];

/** Relative module specifiers a source text imports (package imports are not ours and are skipped). */
export function relativeImports(src: string): string[] {
  const text = stripComments(src);
  const out = new Set<string>();
  for (const re of IMPORT_RES) {
    for (const m of text.matchAll(re)) if (m[1].startsWith('.')) out.add(m[1]);
  }
  return [...out];
}

/** Resolves a specifier the way NodeNext + TypeScript do for this project ('./x.js' is './x.ts'). */
export function resolveImport(fromFile: string, spec: string, exists: (p: string) => boolean): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(fromFile), spec));
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
  return candidates.find(exists);
}

function walk(root: string, dir: string, out: string[]): void {
  for (const name of readdirSync(join(root, dir))) {
    if (name === 'node_modules' || name === 'vendor') continue;
    const rel = dir ? `${dir}/${name}` : name;
    const st = statSync(join(root, rel));
    if (st.isDirectory()) walk(root, rel, out);
    else if (/\.(ts|js|mjs)$/.test(name)) out.push(rel);
  }
}

/** The graph of every .ts/.js file under the given top folders of `root`. */
export function buildImportGraph(root: string, folders: string[]): ImportGraph {
  const files: string[] = [];
  for (const f of folders) if (existsSync(join(root, f))) walk(root, f, files);
  const exists = (p: string) => existsSync(join(root, p)) && statSync(join(root, p)).isFile();
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const specs = relativeImports(readFileSync(join(root, file), 'utf8'));
    const targets = specs.map((s) => resolveImport(file, s, exists)).filter((t): t is string => t !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every import cycle between files, each reported as a path a -> b -> ... -> a (one per strongly connected group). */
export function findCycles(graph: ImportGraph): string[][] {
  // Tarjan's strongly connected components, iterative enough for a few hundred files.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      const selfLoop = group.length === 1 && (graph.get(v) ?? []).includes(v);
      if (group.length > 1 || selfLoop) groups.push(group);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  // One concrete cycle per group: breadth-first from its first file back to itself, inside the group.
  return groups.map((group) => {
    const inGroup = new Set(group);
    const start = [...group].sort()[0];
    const prev = new Map<string, string>();
    const queue = [start];
    while (queue.length) {
      const v = queue.shift()!;
      for (const w of graph.get(v) ?? []) {
        if (!inGroup.has(w)) continue;
        if (w === start) {
          const path = [start];
          for (let x = v; x !== start; x = prev.get(x)!) path.splice(1, 0, x);
          return [...path, start];
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    return [...group, group[0]];
  });
}

const within = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);

/**
 * The floors: pipelines/core imports nothing outside itself; models/ imports only models/ and
 * pipelines/core; dashboards/ imports no pipelines/* but pipelines/core; only pipelines/cli (and
 * dashboards itself) imports dashboards/. Returns one line per offending import.
 */
export function layerViolations(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const edge = `${from} -> ${to}`;
      if (within(from, 'pipelines/core') && !within(to, 'pipelines/core')) {
        out.push(`${edge}: pipelines/core (the bottom floor) imports nothing outside pipelines/core`);
      }
      if (within(from, 'models') && (within(to, 'dashboards') || (within(to, 'pipelines') && !within(to, 'pipelines/core')))) {
        out.push(`${edge}: models/ imports only models/ and pipelines/core`);
      }
      if (within(from, 'dashboards') && within(to, 'pipelines') && !within(to, 'pipelines/core')) {
        out.push(`${edge}: dashboards/ imports no pipelines/* but pipelines/core (the job runner and config are injected)`);
      }
      if (within(to, 'dashboards') && !within(from, 'dashboards') && !within(from, 'pipelines/cli')) {
        out.push(`${edge}: only pipelines/cli imports dashboards/`);
      }
    }
  }
  return out.sort();
}
