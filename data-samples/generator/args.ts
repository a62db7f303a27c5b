// Command-line options of `npm run samples`.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_AS_OF, DEFAULT_CUSTOMERS, DEFAULT_SEED } from './planted.js';
import type { GenerateOptions } from './run.js';

export const USAGE = `usage: npm run samples -- [--customers N] [--out DIR] [--seed S] [--as-of YYYY-MM-DD] [--format demo|csv]
                          [--bad-rows|--no-bad-rows] [--workers N] [--variant standard|foreign]
  defaults: --customers ${DEFAULT_CUSTOMERS} --seed ${DEFAULT_SEED} --as-of ${DEFAULT_AS_OF} --format demo --out data-samples/demo
  bad rows are planted by default in the demo format only; csv runs from 100,000 customers use 2 processes.`;

/** Internal: a child process of a parallel run generating customers [from, to) into dir. */
export interface PartRequest {
  options: GenerateOptions;
  from: number;
  to: number;
  dir: string;
}

export const DEFAULT_OUT = join(dirname(dirname(fileURLToPath(import.meta.url))), 'demo');

export function parseArgs(argv: readonly string[]): GenerateOptions | PartRequest | 'help' {
  const o: Partial<GenerateOptions> = {};
  let part: [number, number] | undefined;
  let partDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    const int = (): number => {
      const v = value();
      if (!/^\d+$/.test(v)) throw new Error(`${a} must be a whole number, got "${v}"`);
      return Number(v);
    };
    switch (a) {
      case '--customers': o.customers = int(); break;
      case '--seed': o.seed = int(); break;
      case '--out': o.outDir = resolve(value()); break;
      case '--as-of': o.asOf = value(); break;
      case '--format': o.format = value() as GenerateOptions['format']; break;
      case '--bad-rows': o.badRows = true; break;
      case '--no-bad-rows': o.badRows = false; break;
      case '--workers': o.workers = int(); break;
      case '--variant': o.variant = value() as GenerateOptions['variant']; break;
      case '--part': {
        const m = /^(\d+):(\d+)$/.exec(value());
        if (!m) throw new Error('--part must be FROM:TO');
        part = [Number(m[1]), Number(m[2])];
        break;
      }
      case '--part-dir': partDir = resolve(value()); break;
      case '--help': case '-h': return 'help';
      default: throw new Error(`unknown option "${a}"\n${USAGE}`);
    }
  }
  const format = o.format ?? 'demo';
  const options: GenerateOptions = {
    customers: o.customers ?? DEFAULT_CUSTOMERS,
    seed: o.seed ?? DEFAULT_SEED,
    asOf: o.asOf ?? DEFAULT_AS_OF,
    format,
    outDir: o.outDir ?? DEFAULT_OUT,
    badRows: o.badRows ?? format === 'demo',
  };
  if (o.workers !== undefined) options.workers = o.workers;
  if (o.variant !== undefined) options.variant = o.variant;
  if (part || partDir) {
    if (!part || !partDir) throw new Error('--part and --part-dir go together');
    return { options, from: part[0], to: part[1], dir: partDir };
  }
  return options;
}
