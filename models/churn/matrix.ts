/** A dense row-major feature matrix; NaN marks a missing value (e.g. no NPS answer yet). */
export interface Matrix {
  nRows: number;
  nCols: number;
  data: Float64Array;
}

export function matrixFromRows(rows: ArrayLike<number>[], nCols: number): Matrix {
  const data = new Float64Array(rows.length * nCols);
  rows.forEach((r, i) => {
    for (let j = 0; j < nCols; j++) data[i * nCols + j] = r[j];
  });
  return { nRows: rows.length, nCols, data };
}

export function rowOf(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.nCols, (i + 1) * m.nCols);
}

/** Rows picked by index, in that order. */
export function selectRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  const data = new Float64Array(idx.length * m.nCols);
  for (let k = 0; k < idx.length; k++) data.set(rowOf(m, idx[k]), k * m.nCols);
  return { nRows: idx.length, nCols: m.nCols, data };
}
