// Private: the standard normal CDF and quantile function in double precision, as needed by
// QuantileTransformer's "normal" output (scipy.stats.norm.cdf / norm.ppf).

const SQRT2PI = Math.sqrt(2 * Math.PI);

/** Standard normal density. */
function pdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT2PI;
}

/** Upper tail Q(t) = 1 − Φ(t) for t ≥ 3, by the Laplace continued fraction (modified Lentz). */
function upperTail(t: number): number {
  // Q(t) = φ(t) / (t + 1/(t + 2/(t + 3/(t + …))))
  const tiny = 1e-300;
  let f = t, c = t, d = 0;
  for (let k = 1; k < 500; k++) {
    d = t + k * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = t + k / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return pdf(t) / f;
}

/** Σ x^(2n+1) / (1·3·…·(2n+1)), so that Φ(x) = 1/2 + φ(x)·series(x) (no cancellation). */
function series(x: number): number {
  let term = x, sum = x;
  const x2 = x * x;
  for (let n = 1; n < 200; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}

/** Φ(x), accurate to about 1e-15 relative in the lower tail. */
export function normCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 3) return 1 - upperTail(x);
  if (x <= -3) return upperTail(-x);
  return 0.5 + pdf(x) * series(x);
}

/** 1 − Φ(x), accurate to about 1e-15 relative in the upper tail. */
export function normSf(x: number): number {
  return normCdf(-x);
}

// Acklam's rational approximation of Φ⁻¹ (relative error < 1.2e-9), then refined below.
const A = [
  -3.969683028665376e+01,
  2.209460984245205e+02,
  -2.759285104469687e+02,
  1.383577518672690e+02,
  -3.066479806614716e+01,
  2.506628277459239e+00,
];
const B = [
  -5.447609879822406e+01,
  1.615858368580409e+02,
  -1.556989798598866e+02,
  6.680131188771972e+01,
  -1.328068155288572e+01,
];
const C = [
  -7.784894002430293e-03,
  -3.223964580411365e-01,
  -2.400758277161838e+00,
  -2.549732539343734e+00,
  4.374664141464968e+00,
  2.938163982698783e+00,
];
const D = [
  7.784695709041462e-03,
  3.224671290700398e-01,
  2.445134137142996e+00,
  3.754408661907416e+00,
];

function acklam(p: number): number {
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  if (p > 1 - low) return -acklam(1 - p);
  const q = p - 0.5, r = q * q;
  return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
}

/** Φ⁻¹(p) for p in [0, 1] (±Infinity at the ends), accurate to about 1e-15. */
export function normPpf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x = acklam(p);
  // Two Halley steps on Φ(x) − p, written as (1 − p) − (1 − Φ(x)) in the upper half so that
  // both terms keep their precision near p = 1.
  for (let i = 0; i < 2; i++) {
    const e = p > 0.5 ? (1 - p) - normSf(x) : normCdf(x) - p;
    const u = e * SQRT2PI * Math.exp(0.5 * x * x);
    x = x - u / (1 + 0.5 * x * u);
  }
  return x;
}
