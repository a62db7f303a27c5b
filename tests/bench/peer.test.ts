import { describe, expect, it } from 'vitest';
import { median } from '../../bench/peer.js';

describe('bench peer median', () => {
  it('is the middle run, or the mean of the middle two, whatever the order; the runs stay as given', () => {
    const runs = [21.4, 19.2, 25.1];
    expect(median(runs)).toBe(21.4);
    expect(runs).toEqual([21.4, 19.2, 25.1]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
});
