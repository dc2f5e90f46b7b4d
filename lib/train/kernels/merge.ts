/**
 * The `Add` layer as one kernel. tfjs' `Add` clones its first input and adds the others one
 * by one (an `Identity` and n − 1 `Add` kernels forward, a `Reshape` per input backward); here
 * it is one `AddN` (tfjs' own kernel) forward, and one `FanOut` backward: the upstream
 * gradient handed to every input as reference-counted handles on the same buffer (what
 * `clone()` gives, one kernel launch instead of n). Inputs of different shapes or dtypes keep
 * tfjs' code.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { invokeCallHook, replaceLayerCall } from "../../_tfjs_internals.ts";
import { kernelConfig } from "./_wasm.ts";

/** The name of the sum kernel with a fan-out gradient. */
export const ADD_LAYER = "AddLayer";
/** The name of the kernel returning `n` handles on its input's buffer. */
export const FAN_OUT = "FanOut";

interface Args {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/** `n` handles on the buffer of `x` (each a reference, as a zero-copy `Identity`). */
function fanOut({ inputs, backend, attrs }: Args): tf.TensorInfo[] {
  const x = inputs.x!;
  return Array.from({ length: attrs?.n as number }, () => {
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}

/** The stock `AddN` kernel of a backend, under a name of its own (with its own gradient). */
function addLayer(backendName: "cpu" | "wasm") {
  return (args: Args): tf.TensorInfo => {
    const stock = tf.getKernel(tf.AddN, backendName)!;
    // tfjs' AddN takes its inputs as a list.
    const inputs = Object.values(args.inputs);
    return stock.kernelFunc(
      { ...args, inputs } as unknown as Parameters<tf.KernelFunc>[0],
    ) as tf.TensorInfo;
  };
}

/**
 * Kernel configs of the layer sum and the fan-out (CPU and WASM), for `tf.registerKernel`
 * (done by `setupBackend()`).
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { mergeKernels } from "./merge.ts";
 * assertEquals(mergeKernels.length, 4);
 * ```
 */
export const mergeKernels: tf.KernelConfig[] = [
  kernelConfig(ADD_LAYER, "cpu", addLayer("cpu")),
  kernelConfig(ADD_LAYER, "wasm", addLayer("wasm")),
  kernelConfig(FAN_OUT, "cpu", fanOut),
  kernelConfig(FAN_OUT, "wasm", fanOut),
];

/**
 * The gradient of the layer sum: every input receives the upstream gradient.
 *
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { addLayerGradient } from "./merge.ts";
 * assertEquals(addLayerGradient.kernelName, "AddLayer");
 * ```
 */
export const addLayerGradient: tf.GradConfig = {
  kernelName: ADD_LAYER,
  gradFunc: (dy, _saved, attrs) => {
    const n = attrs?.n as number;
    const handles = tf.engine().runKernel(FAN_OUT, { x: dy as tf.Tensor }, { n }) as tf.Tensor[];
    return Object.fromEntries(handles.map((h, i) => [String(i), () => h]));
  },
};

/**
 * The sum of equally shaped float32 tensors as one kernel, differentiable in each.
 *
 * @param tensors Two or more tensors of one shape.
 * @returns Their sum.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { setupBackend } from "../backend.ts";
 * import { addLayers } from "./merge.ts";
 * await setupBackend({ backend: "cpu" });
 * assertEquals(Array.from(addLayers([tf.ones([2]), tf.ones([2]), tf.ones([2])]).dataSync()), [3, 3]);
 * ```
 */
export function addLayers(tensors: tf.Tensor[]): tf.Tensor {
  if (!addApplies(tensors)) {
    throw new RangeError(
      `addLayers(): expected two or more float32 tensors of one shape, found ${
        tensors.map((t) => `[${t.shape}] ${t.dtype}`).join(", ")
      }`,
    );
  }
  if (tf.getKernel(ADD_LAYER, tf.getBackend()) === undefined) return tf.addN(tensors);
  const inputs = Object.fromEntries(tensors.map((t, i) => [String(i), t]));
  return tf.engine().runKernel(ADD_LAYER, inputs, { n: tensors.length }) as tf.Tensor;
}

function addApplies(tensors: tf.Tensor[]): boolean {
  return tensors.length >= 2 &&
    tensors.every((t) => t.dtype === "float32" && tf.util.arraysEqual(t.shape, tensors[0].shape));
}

let installed = false;

/**
 * Makes tfjs-layers' `Add` layer run {@linkcode addLayers} on equally shaped float32 inputs
 * (idempotent; done by `setupBackend()`).
 *
 * @returns Whether this call installed it.
 * @example
 * ```ts
 * import { installFastAdd } from "./merge.ts";
 * import { assertEquals } from "@std/assert";
 * installFastAdd();
 * assertEquals(installFastAdd(), false, "the second call should do nothing");
 * ```
 */
export function installFastAdd(): boolean {
  if (installed) return false;
  replaceLayerCall("Add", (stock) =>
    function (inputs, kwargs) {
      const backend = tf.getBackend();
      if (
        !Array.isArray(inputs) || !addApplies(inputs) || (backend !== "wasm" && backend !== "cpu")
      ) {
        return stock.call(this, inputs, kwargs);
      }
      invokeCallHook(this, inputs, kwargs);
      return addLayers(inputs);
    });
  installed = true;
  return true;
}
