import { describe, expect, test } from 'vitest';
import { runScoreSteps } from '../../../pipelines/jobs/score-job.js';
import type { StepContext } from '../../../pipelines/core/module.js';

const ctx = {} as StepContext;
const asOf = new Date('2026-10-31T00:00:00Z');

describe('score steps run side by side', () => {
  test('a step can wait for a later one: they overlap (one after the other would never finish)', async () => {
    let release!: () => void;
    const later = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    const out = await runScoreSteps(
      [
        { name: 'first', run: async () => { order.push('first started'); await later; order.push('first done'); return { n: 1 }; } },
        { name: 'second', run: async () => { order.push('second started'); release(); return { n: 2 }; } },
      ],
      ctx,
      asOf,
    );
    expect(order).toEqual(['first started', 'second started', 'first done']);
    // Summaries in list order, each with its own time.
    expect(Object.keys(out)).toEqual(['first', 'second']);
    expect(out.first).toMatchObject({ n: 1, ms: expect.any(Number) });
    expect(out.second).toMatchObject({ n: 2, ms: expect.any(Number) });
  }, 5_000);

  test('a failure is thrown once every step has settled: the others finish and keep their results', async () => {
    const finished: string[] = [];
    const run = runScoreSteps(
      [
        { name: 'a', run: async () => { await new Promise((r) => setTimeout(r, 30)); finished.push('a'); return {}; } },
        { name: 'b', run: async () => { throw new Error('b broke'); } },
        { name: 'c', run: async () => { throw new Error('c broke'); } },
      ],
      ctx,
      asOf,
    );
    await expect(run).rejects.toThrow('b broke');
    expect(finished).toEqual(['a']);
  });
});
