// Axis ranges and labels for any finite data (private to lib/plot): the extent of many values,
// the check that a range can be drawn on a linear axis, and numbers written to a few
// significant digits up to the largest one.
// A range whose width overflows to Infinity (-1e308 to 1e308) puts every position at NaN, and
// one narrower than `MIN_SPAN` gives d3's tick step no power of ten (it throws "Invalid array
// length"): both are refused with the helper's name and the values, never drawn wrong.

/** The narrowest range drawn on an axis (narrower ones, unless empty, are refused). */
export const MIN_SPAN = 1e-300;

/**
 * The least and greatest of the values, by a loop: `Math.min(...values)` runs out of stack
 * beyond about 120,000 values.
 */
export function extent(values: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < lo) lo = values[i];
    if (values[i] > hi) hi = values[i];
  }
  return [lo, hi];
}

/** Values at least this large, or this small but not 0, get tick labels with an exponent. */
const LARGE = 1e15, SMALL = 1e-12;

/**
 * Tick labels with an exponent (`9.2e+19`, `1.5e-300`, `−3e+20`) for an axis over `domain` far
 * from ordinary sizes, or `undefined` (Plot's own labels): Plot writes 1e20 as
 * `100,000,000,000,000,000,000`, too wide to stand beside its neighbours, and every tick from
 * 1e-300 to 2e-300 as `0.00000000000000000000`.
 */
export function exponentTicks(domain: [number, number]): ((v: number) => string) | undefined {
  const size = Math.max(Math.abs(domain[0]), Math.abs(domain[1]));
  if (!(size >= LARGE || (size > 0 && size < SMALL))) return undefined;
  // Digits enough for ticks a tenth of the range apart (trailing zeros are dropped).
  const step = Math.abs(domain[1] - domain[0]) / 10 || size;
  const digits = Math.min(
    17,
    Math.max(1, Math.floor(Math.log10(size)) - Math.floor(Math.log10(step)) + 1),
  );
  return (v: number) => {
    if (v === 0) return "0";
    const [mantissa, exponent] = v.toExponential(digits - 1).split("e");
    return `${mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa}e${exponent}`
      .replace(/^-/, "\u2212");
  };
}

/**
 * `[lo - pad, hi + pad]` with `pad` a share of the width; less where the padded width would
 * overflow (0 to 1.8e308 gets none), and kept within the finite numbers. A width that already
 * overflows is left to {@linkcode drawable} to refuse.
 */
export function padded(lo: number, hi: number, share: number): [number, number] {
  const width = hi - lo;
  if (!Number.isFinite(width)) return [lo, hi];
  const d = Math.min(width * share, (Number.MAX_VALUE - width) / 2);
  return [Math.max(lo - d, -Number.MAX_VALUE), Math.min(hi + d, Number.MAX_VALUE)];
}

/**
 * Checks that `axis` can be drawn: its width is finite (see {@linkcode finiteWidth}) and,
 * unless it is 0, at least `MIN_SPAN`. Throws a RangeError naming the helper, `what` and the
 * least and greatest of the values the axis was made from (`values`).
 */
export function drawable(
  fn: string,
  what: string,
  axis: [number, number],
  values: [number, number] = axis,
): [number, number] {
  finiteWidth(fn, what, axis, values);
  const width = axis[1] - axis[0];
  if (width !== 0 && width < MIN_SPAN) {
    throw new RangeError(
      `${fn}(): expected ${what} at least ${MIN_SPAN} apart or all equal, found ${values[0]} ` +
        `to ${values[1]}: too close together for an axis's ticks`,
    );
  }
  return axis;
}

/**
 * Checks that `axis` is narrower than the largest number (-1e308 to 1e308 is not: every
 * position on it would be NaN); throws a RangeError naming the helper, `what` and the least
 * and greatest of the values the axis was made from (`values`).
 */
export function finiteWidth(
  fn: string,
  what: string,
  axis: [number, number],
  values: [number, number] = axis,
): [number, number] {
  if (Number.isFinite(axis[1] - axis[0])) return axis;
  const own = axis[0] === values[0] && axis[1] === values[1];
  throw new RangeError(
    `${fn}(): expected ${what} whose range fits on an axis, found ${values[0]} to ${values[1]}: ${
      own ? "their" : `the axis [${axis[0]}, ${axis[1]}], its`
    } width overflows to Infinity`,
  );
}

/**
 * `x` to `digits` significant digits, written as `String` writes a number (`0.1235`, `1e+21`),
 * or with the digits kept where rounding would pass the largest number (`1.798e+308`, not
 * `Infinity`).
 */
export function significant(x: number, digits: number): string {
  const rounded = Number(x.toPrecision(digits));
  return Number.isFinite(rounded) ? String(rounded) : x.toPrecision(digits);
}
