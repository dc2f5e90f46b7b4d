/**
 * The inverse of a symmetric positive-definite matrix, for EASE (`lib/eval/ease.ts`): the sweep
 * operator in blocks of pivots, the big update in the native library's vectors where
 * `setupBackend()` loaded it (the same bits as the JavaScript loop here).
 *
 * @module
 */

import { nativeKernels, type NativeSweepFn } from "./_native.ts";

/** Pivots swept together: the big update then runs once per block, not once per pivot. */
const BLOCK = 64;

/**
 * The bulk of one block's sweep: for every row i outside the block `[k0, k0 + b)`, and every
 * column j ≥ i, `a[i, j] −= v[l, i] · w[l, j]` for l = 0 … b − 1 in turn (a multiply, then a
 * subtraction; rows with v[l, i] = 0 skip l). The native library's `sweep_avx512` and `sweep_avx2`
 * compute the same in wider vectors, with the same bits.
 */
const sweepUpdate: NativeSweepFn = (a, v, w, n, k0, b) => {
  const cs = new Float64Array(b), offsets = new Int32Array(b);
  for (let i = 0; i < n; i++) {
    if (i === k0) {
      i += b - 1;
      continue;
    }
    let t = 0;
    for (let l = 0; l < b; l++) {
      const c = v[l * n + i];
      if (c === 0) continue;
      cs[t] = c;
      offsets[t++] = l * n;
    }
    if (t === 0) continue;
    const ii = i * n;
    for (let j = i; j < n; j++) {
      let x = a[ii + j];
      for (let s = 0; s < t; s++) x -= cs[s] * w[offsets[s] + j];
      a[ii + j] = x;
    }
  }
};

/**
 * Inverts a symmetric positive-definite matrix in place with the sweep operator (Gauss–Jordan
 * elimination that keeps the matrix symmetric, so only the upper triangle is updated: half the
 * work; no pivoting is needed, since every pivot of such a matrix is positive). Sweeping a
 * block K of pivots at once maps A to A_KK' = −A_KK⁻¹, A_KR' = A_KK⁻¹ A_KR and
 * A_RR' = A_RR − A_RK A_KK⁻¹ A_KR (R: the other rows), the same as sweeping them one by one;
 * sweeping every pivot leaves −A⁻¹. Blocks of 64 pivots pass over the matrix n / 64 times
 * instead of n, and the native kernels, where `setupBackend()` loaded them, run the update.
 *
 * @param a Row-major n × n matrix; overwritten by its inverse.
 * @param n Its order.
 * @throws {RangeError} When a pivot is not positive (the matrix is not positive definite).
 * @example
 * ```ts
 * import { invertSpd } from "./spd_inverse.ts";
 * import { assertAlmostEquals } from "@std/assert";
 * const a = Float64Array.of(4, 2, 2, 3); // inverse: [3, −2; −2, 4] / 8
 * invertSpd(a, 2);
 * assertAlmostEquals(a[0], 3 / 8);
 * assertAlmostEquals(a[1], -2 / 8);
 * assertAlmostEquals(a[2], -2 / 8);
 * assertAlmostEquals(a[3], 4 / 8);
 * ```
 */
export function invertSpd(a: Float64Array, n: number): void {
  const native = nativeKernels()?.sweep ?? null;
  const v = new Float64Array(BLOCK * n), w = new Float64Array(BLOCK * n);
  const m = new Float64Array(BLOCK * BLOCK);
  for (let k0 = 0; k0 < n; k0 += BLOCK) {
    const b = Math.min(BLOCK, n - k0);
    // v: the block's rows of the symmetric matrix, read from the upper triangle: above the
    // block, row by row (each row's b entries lie side by side); from the block on, its rows.
    for (let j = 0; j < k0; j++) {
      const jj = j * n + k0;
      for (let l = 0; l < b; l++) v[l * n + j] = a[jj + l];
    }
    for (let l = 0; l < b; l++) {
      const k = k0 + l, row = l * n;
      for (let j = k0; j < k; j++) v[row + j] = a[j * n + k];
      for (let j = k; j < n; j++) v[row + j] = a[k * n + j];
    }
    // m: the block A_KK, inverted by single sweeps (its result is −A_KK⁻¹).
    for (let p = 0; p < b; p++) {
      for (let q = 0; q < b; q++) m[p * b + q] = v[p * n + k0 + q];
    }
    sweepSmall(m, b, k0);
    // w = A_KK⁻¹ A_KR (zero in the block's own columns), and v's block columns cleared.
    for (let l = 0; l < b; l++) {
      const row = l * n;
      w.fill(0, row, row + n);
      for (let q = 0; q < b; q++) {
        const f = -m[l * b + q];
        if (f === 0) continue;
        const other = q * n;
        for (let j = 0; j < n; j++) w[row + j] += f * v[other + j];
      }
    }
    for (let l = 0; l < b; l++) {
      v.fill(0, l * n + k0, l * n + k0 + b);
      w.fill(0, l * n + k0, l * n + k0 + b);
    }
    if (native) native(a, v, w, n, k0, b);
    else sweepUpdate(a, v, w, n, k0, b);
    // A_KR' = w and A_KK' = −A_KK⁻¹, into the upper triangle (above the block row by row).
    for (let j = 0; j < k0; j++) {
      const jj = j * n + k0;
      for (let l = 0; l < b; l++) a[jj + l] = w[l * n + j];
    }
    for (let l = 0; l < b; l++) {
      const k = k0 + l, row = l * n;
      for (let j = k0 + b; j < n; j++) a[k * n + j] = w[row + j];
      for (let q = l; q < b; q++) a[k * n + k0 + q] = m[l * b + q];
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const x = -a[i * n + j];
      a[i * n + j] = x;
      a[j * n + i] = x;
    }
  }
}

/** Sweeps every pivot of a small full symmetric matrix in place (leaves −M⁻¹). */
function sweepSmall(m: Float64Array, b: number, offset: number): void {
  const col = new Float64Array(b);
  for (let k = 0; k < b; k++) {
    const d = m[k * b + k];
    if (!(d > 0)) {
      throw new RangeError(
        `invertSpd(): expected a positive-definite matrix, found pivot ${d} at row ${offset + k}`,
      );
    }
    for (let i = 0; i < b; i++) col[i] = m[i * b + k];
    for (let i = 0; i < b; i++) {
      if (i === k) continue;
      const f = col[i] / d;
      for (let j = 0; j < b; j++) if (j !== k) m[i * b + j] -= f * col[j];
    }
    for (let i = 0; i < b; i++) {
      m[i * b + k] = col[i] / d;
      m[k * b + i] = col[i] / d;
    }
    m[k * b + k] = -1 / d;
  }
}
