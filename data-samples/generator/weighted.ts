// Weighted choices over the planted tables, precomputed once.
import { cumulative, type Rng } from './prng.js';

export class Choice<T extends string> {
  readonly keys: T[];
  private readonly cum: number[];
  constructor(table: Readonly<Record<T, number>>) {
    this.keys = Object.keys(table) as T[];
    this.cum = cumulative(this.keys.map((k) => table[k]));
  }
  pick(rng: Rng): T {
    return this.keys[rng.pickCum(this.cum)];
  }
}
