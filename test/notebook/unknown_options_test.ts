// Every notebook helper with an options object refuses a misspelt option name.

import pl from "nodejs-polars";
import {
  cellFormat,
  counted,
  display,
  flushOutputs,
  liveDisplay,
  roundFloats,
  setupDisplay,
  table,
} from "../../lib/notebook/mod.ts";
import { testMisspeltOptions } from "../_misspelt_options.ts";

const df = pl.DataFrame({ model: ["mlp"], mae: [0.7239674945033985] });

testMisspeltOptions([
  {
    fn: "display()",
    key: "ID",
    meant: "id",
    call: () => display("text", { ID: "x" } as never),
  },
  {
    fn: "setupDisplay()",
    key: "digit",
    meant: "digits",
    call: () => setupDisplay({ digit: 3 } as never),
  },
  {
    fn: "table()",
    key: "maxrows",
    meant: "maxRows",
    call: () => table(df, { maxrows: 1 } as never),
  },
  {
    fn: "cellFormat()",
    key: "sharedigits",
    meant: "shareDigits",
    call: () => cellFormat("cellFormat", { sharedigits: 2 } as never),
  },
  {
    fn: "roundFloats()",
    key: "digit",
    meant: "digits",
    call: () => roundFloats(df, { digit: 2 } as never),
  },
  {
    fn: "flushOutputs()",
    key: "timeout",
    meant: "timeoutMs",
    call: () => flushOutputs({ timeout: 1 } as never),
  },
  {
    fn: "liveDisplay()",
    key: "mod",
    meant: "mode",
    call: () => liveDisplay("text", { mod: "silent" } as never),
  },
  {
    fn: "counted()",
    key: "plurals",
    meant: "plural",
    call: () => counted(2, "movie", { plurals: "movies" } as never),
  },
]);
