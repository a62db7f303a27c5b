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

  test('a step refused DuckDB memory beside the others runs again alone, after them; other failures are not retried', async () => {
    const order: string[] = [];
    let calls = 0;
    let inside = 0;
    const out = await runScoreSteps(
      [
        {
          name: 'other',
          run: async () => {
            inside++;
            await new Promise((r) => setTimeout(r, 30));
            inside--;
            order.push('other done');
            return { n: 2 };
          },
        },
        {
          name: 'big',
          run: async () => {
            calls++;
            order.push(`big ${calls} with ${inside} others running`);
            if (calls === 1) throw new Error('Out of Memory Error: failed to pin block of size 256.0 KiB (1.3 GiB/1.3 GiB used)');
            return { n: 1 };
          },
        },
      ],
      ctx,
      asOf,
    );
    expect(order).toEqual(['big 1 with 1 others running', 'other done', 'big 2 with 0 others running']);
    expect(out.big).toMatchObject({ n: 1, retried_alone: true });
    expect(out.other).toMatchObject({ n: 2 });
    expect(out.other).not.toHaveProperty('retried_alone');

    let tries = 0;
    const cause = new Error('Out of Memory Error: could not allocate');
    const wrapped = new Error('churn: feature query failed', { cause });
    await expect(runScoreSteps([{ name: 'x', run: async () => { tries++; throw wrapped; } }], ctx, asOf)).rejects.toBe(wrapped);
    expect(tries).toBe(2);
    tries = 0;
    await expect(runScoreSteps([{ name: 'y', run: async () => { tries++; throw new Error('y broke'); } }], ctx, asOf)).rejects.toThrow('y broke');
    expect(tries).toBe(1);
  });
});
