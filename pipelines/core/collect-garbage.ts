/**
 * A full garbage collection now, between the phases of a long job. V8 collects when the JS heap grows,
 * not when DuckDB's memory does: after the churn step, its arrays (the feature matrix, the reasons
 * texts: ~0.5 GB at 1M customers) stay in the process, unreachable but not freed, while the next
 * phase's SQL (at_risk_list, customer_360) fills DuckDB's buffer pool, and the job's peak RSS is the
 * sum of both. Without `--expose-gc` the flag is set at run time and `gc` is read from a new context
 * (what Jest does for --logHeapUsage).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined;

export function collectGarbage(): void {
  if (!gc) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') gc = exposed;
    else {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
  }
  gc();
}
