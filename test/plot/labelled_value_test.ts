import { assertThrows } from "@std/assert";
import { lossCurves, type LossHistory } from "../../lib/plot/loss.ts";
import { metricBars } from "../../lib/plot/metric_bars.ts";

const history: LossHistory = {
  epoch: [1, 2, 3],
  history: { loss: [1, 0.8, 0.7], val_loss: [1.1, 0.9, 0.85] },
};
const rows = [{ model: "a", value: 0.3 }, { model: "b", value: 0.4 }];

/** Each helper's `{ value, label }` option, by the name its messages give it. */
const HELPERS: [string, (given: unknown) => unknown][] = [
  ["lossCurves(): expected baseline ", (b) => lossCurves(history, { baseline: b as never })],
  [
    "lossCurves(): expected baseline[1] ",
    (b) => lossCurves(history, { baseline: [{ value: 1, label: "one" }, b as never] }),
  ],
  ["metricBars(): expected reference ", (r) => metricBars(rows, { reference: r as never })],
];

/** Bad values, the error class and the end of the message. */
const BAD: [unknown, ErrorConstructor, string][] = [
  [null, TypeError, "found null"],
  [0.5, TypeError, "found 0.5"],
  [{ value: "0.5", label: "mean" }, TypeError, 'found {"value":"0.5","label":"mean"}'],
  [{ value: 0.5 }, TypeError, 'found {"value":0.5}'],
  [{ value: 0.5, label: 7 }, TypeError, 'found {"value":0.5,"label":7}'],
  [{ value: NaN, label: "mean" }, RangeError, 'found {"value":NaN,"label":"mean"}'],
  [{ value: Infinity, label: "mean" }, RangeError, 'found {"value":Infinity,"label":"mean"}'],
];

Deno.test("lossCurves()' baselines and metricBars()' reference refuse a bad { value, label } alike", () => {
  for (const [start, draw] of HELPERS) {
    for (const [given, errorClass, found] of BAD) {
      const error = assertThrows(() => draw(given), errorClass);
      const expected = `${start}as { value: finite number, label: string }, ${found}`;
      if (error.message !== expected) {
        throw new Error(
          `${start}with ${found}:\n  got      ${error.message}\n  expected ${expected}`,
        );
      }
    }
    const extra = assertThrows(() => draw({ value: 1, label: "x", colour: "red" }), TypeError);
    const option = start.slice(start.indexOf("expected ") + 9).trim();
    if (!extra.message.includes(`unknown option "${option}.colour"`)) {
      throw new Error(extra.message);
    }
  }
});
