import { createRng } from "../../lib/random.ts";

/**
 * A random symmetric positive-definite n × n matrix RᵀR + I, row-major; R's entries are
 * standard normal with probability `density`, else exactly 0 (so sparse ones have zeros).
 */
export function randomSpd(n: number, seed: number, density = 1): Float64Array {
  const rng = createRng(seed);
  const r = Float64Array.from({ length: n * n }, () => rng.next() < density ? rng.normal() : 0);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < n; k++) s += r[k * n + i] * r[k * n + j];
      a[i * n + j] = s;
    }
  }
  return a;
}
