// Every training function with an options object refuses a misspelt option name.

import {
  adam,
  oneCycle,
  scheduledAdam,
  setupBackend,
  trainingProgress,
} from "../../lib/train/mod.ts";
import { testMisspeltOptions } from "../_misspelt_options.ts";

testMisspeltOptions([
  {
    fn: "setupBackend()",
    key: "backen",
    meant: "backend",
    call: () => setupBackend({ backen: "cpu" } as never),
  },
  {
    fn: "adam()",
    key: "learningrate",
    meant: "learningRate",
    call: () => adam({ learningrate: 0.1 } as never),
  },
  {
    fn: "scheduledAdam()",
    key: "beta_1",
    meant: "beta1",
    call: () => scheduledAdam(() => 0.01, { beta_1: 0.8 } as never),
  },
  {
    fn: "oneCycle()",
    key: "divfactor",
    meant: "divFactor",
    call: () => oneCycle(0.01, 10, { divfactor: 10 } as never),
  },
  {
    fn: "trainingProgress()",
    key: "verbos",
    meant: "verbose",
    call: () => trainingProgress({ epochs: 1, batches: 1, samples: 1 }, { verbos: 0 } as never),
  },
]);
