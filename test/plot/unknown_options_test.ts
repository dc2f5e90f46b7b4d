// Every plot helper refuses a misspelt option name, its own or a figure option (none of them
// passes other keys on to Observable Plot).

import {
  biasBars,
  embeddingScatter,
  histogram,
  lossCurves,
  type LossHistory,
  metricBars,
  predictedVsTrue,
  ratingBars,
  tsneScatter,
} from "../../lib/plot/mod.ts";
import { testMisspeltOptions } from "../_misspelt_options.ts";

const history: LossHistory = { epoch: [1, 2], history: { loss: [1, 0.8], val_loss: [1.1, 0.9] } };

testMisspeltOptions([
  {
    fn: "biasBars()",
    key: "sorted",
    meant: "sort",
    call: () => biasBars([] as never, { sorted: "none" } as never),
  },
  {
    fn: "histogram()",
    key: "bin",
    meant: "bins",
    call: () => histogram([1, 2, 3], { bin: 2 } as never),
  },
  {
    fn: "histogram()",
    key: "titel",
    meant: "title",
    call: () => histogram([1, 2, 3], { titel: "Values" } as never),
  },
  {
    fn: "ratingBars()",
    key: "count",
    meant: "counts",
    call: () => ratingBars([1, 2, 3], { count: false } as never),
  },
  {
    fn: "lossCurves()",
    key: "ylims",
    meant: "ylim",
    call: () => lossCurves(history, { ylims: [0, 2] } as never),
  },
  {
    fn: "lossCurves()",
    key: "splitNames.valid",
    meant: "splitNames.validation",
    call: () => lossCurves(history, { splitNames: { valid: "test" } } as never),
  },
  {
    fn: "lossCurves()",
    key: "baseline[1].lable",
    meant: "baseline[1].label",
    call: () =>
      lossCurves(history, {
        baseline: [{ value: 0.9, label: "mean" }, { value: 0.8, lable: "bias" }],
      } as never),
  },
  {
    fn: "lossCurves()",
    key: "baseline.lable",
    meant: "baseline.label",
    call: () => lossCurves(history, { baseline: { value: 0.8, lable: "bias" } } as never),
  },
  {
    fn: "lossCurves()",
    key: "epochMark.epochs",
    meant: "epochMark.epoch",
    call: () => lossCurves(history, { epochMark: { epochs: 2, label: "kept" } } as never),
  },
  {
    fn: "metricBars()",
    key: "digit",
    meant: "digits",
    call: () => metricBars([] as never, { digit: 2 } as never),
  },
  {
    fn: "predictedVsTrue()",
    key: "jiter",
    meant: "jitter",
    call: () => predictedVsTrue([1, 2], [1, 2], { jiter: 0 } as never),
  },
  {
    fn: "embeddingScatter()",
    key: "xlabel",
    meant: "xLabel",
    call: () => embeddingScatter([{ x: 0, y: 0, title: "a" }], { xlabel: "PC1" } as never),
  },
  {
    fn: "tsneScatter()",
    key: "colour",
    meant: "color",
    call: () => tsneScatter([{ x: 0, y: 0, title: "a" }] as never, { colour: null } as never),
  },
]);
