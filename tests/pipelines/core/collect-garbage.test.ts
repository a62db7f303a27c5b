import { describe, expect, it } from 'vitest';
import { setImmediate as nextTask } from 'node:timers/promises';
import { collectGarbage } from '../../../pipelines/core/collect-garbage.js';

/** An object only a WeakRef points at (made in a function: no local keeps it). */
function unreachable(): WeakRef<{ data: Float64Array }> {
  return new WeakRef({ data: new Float64Array(1 << 20) });
}

describe('collectGarbage', () => {
  it('frees unreachable objects now, each time it is called', async () => {
    for (let round = 0; round < 2; round++) {
      const ref = unreachable();
      // A WeakRef's target is kept until the end of the task that made or read it.
      await nextTask();
      expect(ref.deref()).toBeDefined();
      await nextTask();
      collectGarbage();
      expect(ref.deref()).toBeUndefined();
    }
  });

  it('keeps what is still referenced', async () => {
    const kept = { data: new Float64Array(16).fill(7) };
    const ref = new WeakRef(kept);
    await nextTask();
    collectGarbage();
    expect(ref.deref()?.data[15]).toBe(7);
    expect(kept.data.length).toBe(16);
  });
});
