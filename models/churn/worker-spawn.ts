/**
 * Starts a worker thread on a module next to this one, whether running from the compiled dist/
 * (plain .js) or from TypeScript (tsx, vitest): then a small bootstrap registers tsx's loader inside
 * the worker before importing the .ts module, since a worker does not inherit a parent's loader hooks.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type TransferListItem } from 'node:worker_threads';

function startWorker(name: string, workerData: unknown, transferList: TransferListItem[]): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData, transferList });
  }
  const target = new URL(`./${name}.ts`, import.meta.url).href;
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); })`;
  return new Worker(boot, { eval: true, workerData, transferList });
}

/** A message a worker posts before its answer: a count of work done (progress), not the result. */
export interface WorkerTick {
  cxpTick: number;
}

function isTick(m: unknown): m is WorkerTick {
  return typeof m === 'object' && m !== null && typeof (m as WorkerTick).cxpTick === 'number' && Object.keys(m).length === 1;
}

/**
 * Runs a worker module to its one answer. Messages `{ cxpTick: n }` it posts before answering go to
 * `onTick` (units of work done); the first other message is the answer.
 */
export function runModuleWorker<T>(name: string, workerData: unknown, transferList: TransferListItem[] = [], onTick?: (n: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = startWorker(name, workerData, transferList);
    let done = false;
    worker.on('message', (m: T | WorkerTick) => {
      if (done) return;
      if (isTick(m)) {
        onTick?.(m.cxpTick);
        return;
      }
      done = true;
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`worker ${name} exited with code ${code} before answering`));
    });
  });
}
