import { describe, expect, test } from 'vitest';
import { runScoreSteps } from '../../../pipelines/jobs/score-job.js';
import { failureDetails } from '../../../pipelines/jobs/run-pipeline.js';
import type { StepContext } from '../../../pipelines/core/module.js';

const ctx = {} as StepContext;
const asOf = new Date('2026-10-31T00:00:00Z');
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('score steps run one after another', () => {
  test('in list order, never two at once, each summary with its own time', async () => {
    const order: string[] = [];
    let inside = 0;
    const step = (name: string, ms: number) => ({
      name,
      run: async () => {
        inside++;
        order.push(`${name} started with ${inside - 1} others running`);
        await pause(ms);
        inside--;
        order.push(`${name} done`);
        return { name };
      },
    });
    // The first step is the slowest: side by side, the others would start (and finish) before it ends.
    const out = await runScoreSteps([step('first', 40), step('second', 5), step('third', 1)], ctx, asOf);
    expect(order).toEqual([
      'first started with 0 others running',
      'first done',
      'second started with 0 others running',
      'second done',
      'third started with 0 others running',
      'third done',
    ]);
    expect(Object.keys(out)).toEqual(['first', 'second', 'third']);
    expect(out.first).toMatchObject({ name: 'first', ms: expect.any(Number) });
    expect((out.first as { ms: number }).ms).toBeGreaterThanOrEqual(35);
  });

  test('a failing step does not stop the later ones; the first failure in list order is thrown once all have run', async () => {
    const ran: string[] = [];
    const run = runScoreSteps(
      [
        { name: 'a', run: async () => { ran.push('a'); return {}; } },
        { name: 'b', run: async () => { ran.push('b'); throw new Error('b broke'); } },
        { name: 'c', run: async () => { ran.push('c'); throw new Error('c broke'); } },
        { name: 'd', run: async () => { await pause(10); ran.push('d'); return {}; } },
      ],
      ctx,
      asOf,
    );
    await expect(run).rejects.toThrow('b broke');
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('a job DuckDB refused memory', () => {
  test('says which setting to raise and where it is explained, also when a step wrapped the error', () => {
    const oom = new Error('Out of Memory Error: failed to pin block of size 256.0 KiB (1.3 GiB/1.3 GiB used)');
    for (const err of [oom, new Error('churn: feature query failed', { cause: oom })]) {
      const d = failureDetails(err);
      expect(d.where).toBe('duckdb.memoryLimit');
      expect(d.hint).toMatch(/raise duckdb\.memoryLimit/);
      expect(d.hint).toMatch(/docs\/operations\.md "Memory and threads"/);
    }
    expect(failureDetails(new Error('Binder Error: column x not found'))).toEqual({});
    expect(failureDetails('a string')).toEqual({});
  });
});

describe('shutting down during the score job', () => {
  test('no step starts once the signal is aborted; the steps done keep their results and the job fails', async () => {
    const abort = new AbortController();
    const ran: string[] = [];
    const run = runScoreSteps(
      [
        { name: 'a', run: async () => { ran.push('a'); abort.abort(); return {}; } },
        { name: 'b', run: async () => { ran.push('b'); return {}; } },
      ],
      { signal: abort.signal } as StepContext,
      asOf,
    );
    await expect(run).rejects.toMatchObject({ code: 'CXP_ERR_JOB_FAILED', message: expect.stringContaining('before its step b: shutting down') });
    expect(ran).toEqual(['a']);

    const before = runScoreSteps([{ name: 'only', run: async () => { ran.push('only'); return {}; } }], { signal: abort.signal } as StepContext, asOf);
    await expect(before).rejects.toMatchObject({ code: 'CXP_ERR_JOB_FAILED' });
    expect(ran).toEqual(['a']);
  });
});
