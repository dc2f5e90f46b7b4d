import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  checkCpuInternals,
  checkTfjsInternals,
  checkWasmInternals,
  replaceLayerCall,
  TFJS_VERSION_TESTED,
} from "../lib/_tfjs_internals.ts";
import { setupBackend } from "../lib/train/backend.ts";

Deno.test("every tfjs internal the engine relies on is where it expects it", async () => {
  for (const backend of ["cpu", "wasm"] as const) await setupBackend({ backend });
  const problems = checkTfjsInternals();
  assert(
    problems.length === 0,
    `tfjs ${tf.version_core} (the engine was checked against ${TFJS_VERSION_TESTED}) changed ` +
      `what the training engine relies on:\n- ${problems.join("\n- ")}\n` +
      "See lib/_tfjs_internals.ts for what each one is used for.",
  );
  assertEquals(tf.version_core, TFJS_VERSION_TESTED);
});

Deno.test("the check names what changed: a layer method tfjs no longer has", async () => {
  await setupBackend({ backend: "cpu" });
  const proto =
    (tf.serialization.SerializationMap.getMap().classNameMap["Rescaling"][0] as unknown as {
      prototype: Record<string, unknown>;
    }).prototype;
  const call = proto.call;
  try {
    Object.defineProperty(proto, "call", { value: undefined, configurable: true });
    assert(checkTfjsInternals().includes("Rescaling.call()"), checkTfjsInternals().join("; "));
    assertThrows(
      () => replaceLayerCall("Rescaling", (stock) => stock),
      TypeError,
      "without Rescaling.call()",
    );
  } finally {
    Object.defineProperty(proto, "call", { value: call, configurable: true, writable: true });
  }
  assertEquals(checkTfjsInternals(), []);
});

Deno.test("the kernels' check remembers a backend that passed, for its kind only", async () => {
  await setupBackend({ backend: "wasm" });
  const wasm = tf.engine().findBackend("wasm") as unknown as Record<string, unknown>;
  checkWasmInternals(wasm);
  // Checked once: a field taken away afterwards goes unseen (kernels call this every time).
  const fields: Record<string, unknown> = tf.engine().findBackend("wasm") as never;
  const own = Object.hasOwn(fields, "makeOutput"), makeOutput = fields.makeOutput;
  fields.makeOutput = undefined; // shadows the class's method
  try {
    checkWasmInternals(wasm);
  } finally {
    if (own) fields.makeOutput = makeOutput;
    else Reflect.deleteProperty(fields, "makeOutput");
  }
  assertEquals(typeof fields.makeOutput, "function");
  // Passing one check does not pass the other.
  assertThrows(() => checkCpuInternals(wasm), TypeError, "tfjs-backend-cpu");
  const cpu = tf.engine().findBackend("cpu");
  checkCpuInternals(cpu);
  assertThrows(() => checkWasmInternals(cpu), TypeError, "tfjs-backend-wasm");
  // A backend without the fields fails every time, and a non-object too.
  const fake = { wasm: {} };
  for (let i = 0; i < 2; i++) assertThrows(() => checkWasmInternals(fake), TypeError, "without");
  assertThrows(() => checkCpuInternals(undefined), TypeError, "tfjs-backend-cpu");
});

Deno.test("replaceLayerCall() refuses classes it does not know", () => {
  assertThrows(() => replaceLayerCall("Conv2D", (s) => s), RangeError, "expected one of Embedding");
});

Deno.test("the check names what changed: a model's reference count no longer at _refCount", async () => {
  await setupBackend({ backend: "cpu" });
  const proto = tf.LayersModel.prototype as unknown as Record<string, unknown>;
  const dispose = proto.dispose as (this: tf.LayersModel) => unknown;
  try {
    // As if tfjs kept the count elsewhere: a disposed model's _refCount no longer reads 0.
    proto.dispose = function (this: tf.LayersModel) {
      const out = dispose.call(this);
      delete (this as unknown as { _refCount?: number })._refCount;
      return out;
    };
    assert(checkTfjsInternals().includes("Container._refCount"), checkTfjsInternals().join("; "));
  } finally {
    proto.dispose = dispose;
  }
  assertEquals(checkTfjsInternals(), []);
});

Deno.test("the kernels' check refuses a backend whose data store has no has()", async () => {
  for (const backend of ["cpu", "wasm"] as const) await setupBackend({ backend });
  // The kernels free a saved context once `has` says its output is gone (dot_bias.ts). The
  // backends in use keep theirs (tfjs itself calls them): each stand-in is the real backend
  // with a data store that has get() only.
  const cpu = Object.create(tf.engine().findBackend("cpu"));
  cpu.data = { get: () => undefined };
  assertThrows(() => checkCpuInternals(cpu), TypeError, "without data.has()");
  const wasm = Object.create(tf.engine().findBackend("wasm"));
  wasm.dataIdMap = { get: () => undefined };
  assertThrows(() => checkWasmInternals(wasm), TypeError, "without dataIdMap.has()");
  // With has() back, both pass.
  cpu.data.has = () => false;
  wasm.dataIdMap.has = () => false;
  checkCpuInternals(cpu);
  checkWasmInternals(wasm);
});

Deno.test("the check names a stock kernel the engine wraps that tfjs no longer registers", async () => {
  for (const backend of ["cpu", "wasm"] as const) await setupBackend({ backend });
  // Layer sums call the stock AddN on both backends; Softplus and Exp are wrapped on WASM.
  for (const [name, backend] of [["AddN", "cpu"], ["Softplus", "wasm"], ["Exp", "wasm"]]) {
    const config = tf.getKernel(name, backend)!;
    tf.unregisterKernel(name, backend);
    try {
      assert(
        checkTfjsInternals().includes(`kernel ${name} on ${backend}`),
        checkTfjsInternals().join("; "),
      );
    } finally {
      tf.registerKernel(config);
    }
  }
  assertEquals(checkTfjsInternals(), []);
});
