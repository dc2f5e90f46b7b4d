/**
 * The dot-product-with-biases model as one registered op with its own gradient:
 * `y = dot(U[u], M[m]) + ub[u] + mb[m] + offset`, optionally squashed into `[lo, hi]` with a
 * sigmoid. Built from stock ops this is about 15 kernels forward and 25 backward; here it is
 * one forward kernel and one backward kernel that writes the dense gradients of all four
 * tables (sparse rows scattered into zeroed tables, the way the fast segment sum does).
 * {@linkcode dotBiasForward} is the same forward pass in plain tf ops: {@linkcode dotBias} runs it
 * on a backend without these kernels, and the tests check the kernels against it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { isTapeOn } from "../../_tfjs_internals.ts";
import {
  checkCpuInternals,
  type CpuBackend,
  cpuValues,
  heapF32,
  heapI32,
  kernelConfig,
  offsetOf,
  type WasmBackend,
  wasmContext,
} from "./_wasm.ts";

/** The name of the forward kernel. */
export const DOT_BIAS = "EmbeddingDotBias";
/** The name of the backward kernel. */
export const DOT_BIAS_GRAD = "EmbeddingDotBiasGrad";

/** The tables of a dot-bias model. */
export interface DotBiasWeights {
  /** User factors, `[numUsers, factors]`. */
  userFactors: tf.Tensor;
  /** Movie factors, `[numMovies, factors]`. */
  movieFactors: tf.Tensor;
  /** User biases, `[numUsers, 1]` or `[numUsers]`; none when absent. */
  userBias?: tf.Tensor | null;
  /** Movie biases, `[numMovies, 1]` or `[numMovies]`; none when absent. */
  movieBias?: tf.Tensor | null;
}

/** Options of {@linkcode dotBias}. */
export interface DotBiasOptions {
  /**
   * Output range `[lo, hi]`: the raw score goes through `sigmoid(z) * (hi - lo) + lo`.
   * @default null (raw score)
   */
  yRange?: readonly [number, number] | null;
  /**
   * A constant added to the raw score (e.g. the global mean rating).
   * @default 0
   */
  offset?: number;
}

/** Inputs of the forward kernel; the backward kernel takes `dy` and `y` only. */
interface DotBiasInputs {
  users: tf.TensorInfo;
  movies: tf.TensorInfo;
  userFactors: tf.TensorInfo;
  movieFactors: tf.TensorInfo;
  userBias?: tf.TensorInfo;
  movieBias?: tf.TensorInfo;
  dy?: tf.TensorInfo;
  y?: tf.TensorInfo;
}

interface KernelArgs {
  inputs: DotBiasInputs;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

interface Plan {
  n: number;
  f: number;
  nu: number;
  nm: number;
  ranged: boolean;
  lo: number;
  span: number;
  offset: number;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function plan(inputs: DotBiasInputs, attrs?: tf.NamedAttrMap): Plan {
  const { users, movies, userFactors, movieFactors, userBias, movieBias } = inputs;
  for (const [name, t] of [["users", users], ["movies", movies]] as const) {
    if (t.dtype !== "int32") {
      throw new TypeError(`dotBias: expected int32 ${name}, found ${t.dtype}`);
    }
  }
  for (const [name, t] of Object.entries({ userFactors, movieFactors, userBias, movieBias })) {
    if (t && t.dtype !== "float32") {
      throw new TypeError(`dotBias: expected float32 ${name}, found ${t.dtype}`);
    }
  }
  const n = size(users.shape);
  if (size(movies.shape) !== n) {
    throw new RangeError(
      `dotBias: expected as many movies as users, found ${size(movies.shape)} and ${n}`,
    );
  }
  if (userFactors.shape.length !== 2 || movieFactors.shape.length !== 2) {
    throw new RangeError(
      `dotBias: expected 2-d factor tables, found [${userFactors.shape}] and [${movieFactors.shape}]`,
    );
  }
  const [nu, f] = userFactors.shape, [nm, fm] = movieFactors.shape;
  if (f !== fm) {
    throw new RangeError(
      `dotBias: expected equal factor counts, found ${f} (users), ${fm} (movies)`,
    );
  }
  if (userBias && size(userBias.shape) !== nu) {
    throw new RangeError(`dotBias: expected ${nu} user biases, found shape [${userBias.shape}]`);
  }
  if (movieBias && size(movieBias.shape) !== nm) {
    throw new RangeError(`dotBias: expected ${nm} movie biases, found shape [${movieBias.shape}]`);
  }
  const ranged = Boolean(attrs?.ranged);
  const lo = (attrs?.lo as number) ?? 0, hi = (attrs?.hi as number) ?? 1;
  return { n, f, nu, nm, ranged, lo, span: hi - lo, offset: (attrs?.offset as number) ?? 0 };
}

/** Sizes for the backward kernel, from its attrs (the tables themselves are not inputs). */
function gradPlan(inputs: DotBiasInputs, attrs?: tf.NamedAttrMap) {
  const [ubShape, mbShape] = biasShapes(attrs);
  const lo = (attrs?.lo as number) ?? 0, hi = (attrs?.hi as number) ?? 1;
  return {
    n: size(inputs.y!.shape),
    f: attrs?.factors as number,
    nu: attrs?.numUsers as number,
    nm: attrs?.numMovies as number,
    ranged: Boolean(attrs?.ranged),
    lo,
    span: hi - lo,
    ubShape,
    mbShape,
  };
}

/** The shapes of the user and movie bias tables (null when absent), from the op's attrs. */
function biasShapes(attrs?: tf.NamedAttrMap): [number[] | null, number[] | null] {
  const ub = attrs?.userBiasShape as number[] | undefined;
  const mb = attrs?.movieBiasShape as number[] | undefined;
  return [ub && ub.length > 0 ? ub : null, mb && mb.length > 0 ? mb : null];
}

function badId(code: number, p: Plan, users: ArrayLike<number>, movies: ArrayLike<number>) {
  const isMovie = code >= p.n;
  const row = isMovie ? code - p.n : code;
  const id = isMovie ? movies[row] : users[row];
  const kind = isMovie ? "movie" : "user";
  return new RangeError(
    `dotBias: expected ${kind} indices in [0, ${isMovie ? p.nm : p.nu}), found ${id} at row ${row}`,
  );
}

function squash(z: Float32Array, p: Plan): void {
  if (!p.ranged) return;
  for (let i = 0; i < z.length; i++) z[i] = p.lo + p.span / (1 + Math.exp(-z[i]));
}

// ---------------------------------------------------------------------------------------------
// The backward context. The forward kernel stores what the backward kernel needs (the ids and
// the factor rows it read) next to its output, keyed by the output's data id, instead of making
// the engine save (clone) five tensors. The gradient saves only the output y; its data id finds
// the context again. Contexts are made only while a gradient tape records, and are released
// after the backward pass, or on the next forward pass once their output has been disposed.

interface CpuContext {
  users: Int32Array;
  movies: Int32Array;
  urows: Float32Array;
  mrows: Float32Array;
}

const cpuContexts = new Map<object, CpuContext & { backend: CpuBackend }>();
const wasmContexts = new Map<object, { backend: WasmBackend; ptr: number }>();

/** Frees the contexts whose output no longer exists (e.g. no backward pass followed). */
function sweepContexts(): void {
  for (const [dataId, { backend, ptr }] of wasmContexts) {
    if (!backend.dataIdMap.has(dataId)) {
      backend.wasm._free(ptr);
      wasmContexts.delete(dataId);
    }
  }
  for (const [dataId, { backend }] of cpuContexts) {
    if (!backend.data.has(dataId)) cpuContexts.delete(dataId);
  }
}

/**
 * Frees the forward contexts whose output no longer exists (a forward pass recorded on a
 * gradient tape whose backward pass never ran). Freeing a model calls it; it is also done
 * before every forward pass.
 *
 * @example
 * ```ts
 * import { dotBiasContextCount, releaseKernelContexts } from "./dot_bias.ts";
 * import { assertEquals } from "@std/assert";
 * releaseKernelContexts();
 * assertEquals(dotBiasContextCount(), 0, "no context should be left");
 * ```
 */
export function releaseKernelContexts(): void {
  sweepContexts();
}

/**
 * How many forward contexts are waiting for their backward pass (diagnostics: it stays small,
 * and is 0 after every gradient has been computed and the outputs disposed).
 *
 * @returns The number of live contexts on the CPU and WASM backends.
 * @example
 * ```ts
 * import { dotBiasContextCount } from "./dot_bias.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(dotBiasContextCount(), 0); // no forward pass is waiting for its backward pass
 * ```
 */
export function dotBiasContextCount(): number {
  sweepContexts();
  return wasmContexts.size + cpuContexts.size;
}

function missingContext(): Error {
  return new Error(
    "dotBias: no saved forward context for this gradient (was the output computed on " +
      "another backend, or is a second gradient asked of the same forward pass?)",
  );
}

// ---------------------------------------------------------------------------------------------
// CPU

function forwardCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  checkCpuInternals(backend);
  const p = plan(inputs, attrs);
  const v = (t: tf.TensorInfo | undefined) => t ? cpuValues(backend, t.dataId) : null;
  const U = v(inputs.userFactors)!, M = v(inputs.movieFactors)!;
  const ub = v(inputs.userBias), mb = v(inputs.movieBias);
  const users = v(inputs.users)!, movies = v(inputs.movies)!;
  const z = new Float32Array(p.n);
  const { f } = p;
  for (let i = 0; i < p.n; i++) {
    const u = users[i], m = movies[i];
    if (!(u >= 0 && u < p.nu)) throw badId(i, p, users, movies);
    if (!(m >= 0 && m < p.nm)) throw badId(p.n + i, p, users, movies);
    let acc = 0;
    const a = u * f, b = m * f;
    for (let k = 0; k < f; k++) acc += U[a + k] * M[b + k];
    if (ub) acc += ub[u];
    if (mb) acc += mb[m];
    z[i] = acc + p.offset;
  }
  squash(z, p);
  const out = backend.makeTensorInfo([p.n, 1], "float32", z);
  if (cpuContexts.size > 0) sweepContexts();
  if (attrs?.saveContext) {
    const urows = new Float32Array(p.n * f), mrows = new Float32Array(p.n * f);
    for (let i = 0; i < p.n; i++) {
      urows.set(U.subarray(users[i] * f, users[i] * f + f), i * f);
      mrows.set(M.subarray(movies[i] * f, movies[i] * f + f), i * f);
    }
    cpuContexts.set(out.dataId, {
      backend,
      users: Int32Array.from(users),
      movies: Int32Array.from(movies),
      urows,
      mrows,
    });
  }
  return out;
}

function backwardCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  checkCpuInternals(backend);
  const g = gradPlan(inputs, attrs);
  const ctx = cpuContexts.get(inputs.y!.dataId);
  if (ctx === undefined) throw missingContext();
  cpuContexts.delete(inputs.y!.dataId);
  const dy = cpuValues(backend, inputs.dy!.dataId), y = cpuValues(backend, inputs.y!.dataId);
  const { f, n } = g;
  const dU = new Float32Array(g.nu * f), dM = new Float32Array(g.nm * f);
  const dub = g.ubShape ? new Float32Array(g.nu) : null;
  const dmb = g.mbShape ? new Float32Array(g.nm) : null;
  const { users, movies, urows, mrows } = ctx;
  for (let i = 0; i < n; i++) {
    let gi = dy[i];
    if (g.ranged) gi = gi * (y[i] - g.lo) * (g.lo + g.span - y[i]) / g.span;
    const a = users[i] * f, b = movies[i] * f, r = i * f;
    for (let k = 0; k < f; k++) {
      dU[a + k] += gi * mrows[r + k];
      dM[b + k] += gi * urows[r + k];
    }
    if (dub) dub[users[i]] += gi;
    if (dmb) dmb[movies[i]] += gi;
  }
  const outs = [
    backend.makeTensorInfo([g.nu, f], "float32", dU),
    backend.makeTensorInfo([g.nm, f], "float32", dM),
  ];
  if (g.ubShape) outs.push(backend.makeTensorInfo(g.ubShape, "float32", dub!));
  if (g.mbShape) outs.push(backend.makeTensorInfo(g.mbShape, "float32", dmb!));
  return outs;
}

// ---------------------------------------------------------------------------------------------
// WASM

function forwardWasm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { backend: b, kernels, memory } = wasmContext(backend);
  const p = plan(inputs, attrs);
  if (wasmContexts.size > 0) sweepContexts();
  const off = (t: tf.TensorInfo | undefined) => t ? offsetOf(b, t.dataId) : 0;
  const out = b.makeOutput([p.n, 1], "float32");
  const ctx = attrs?.saveContext ? b.wasm._malloc(4 * p.n * (3 + 2 * p.f)) : 0;
  const z = off(out);
  const users = off(inputs.users), movies = off(inputs.movies);
  const bad = kernels.dot_bias_forward(
    off(inputs.userFactors),
    off(inputs.movieFactors),
    off(inputs.userBias),
    off(inputs.movieBias),
    users,
    movies,
    p.n,
    p.f,
    z,
    p.offset,
    p.nu,
    p.nm,
    ctx,
  );
  if (bad >= 0) {
    b.disposeData(out.dataId);
    if (ctx) b.wasm._free(ctx);
    throw badId(bad, p, heapI32(memory, users, p.n), heapI32(memory, movies, p.n));
  }
  const y = heapF32(memory, z, p.n);
  squash(y, p);
  if (ctx) {
    heapF32(memory, ctx + 8 * p.n, p.n).set(y);
    wasmContexts.set(out.dataId, { backend: b, ptr: ctx });
  }
  return out;
}

function backwardWasm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { backend: b, kernels } = wasmContext(backend);
  const g = gradPlan(inputs, attrs);
  const ctx = wasmContexts.get(inputs.y!.dataId);
  if (ctx === undefined) throw missingContext();
  const outs = [b.makeOutput([g.nu, g.f], "float32"), b.makeOutput([g.nm, g.f], "float32")];
  if (g.ubShape) outs.push(b.makeOutput(g.ubShape, "float32"));
  if (g.mbShape) outs.push(b.makeOutput(g.mbShape, "float32"));
  let k = 2;
  const dub = g.ubShape ? offsetOf(b, outs[k++].dataId) : 0;
  const dmb = g.mbShape ? offsetOf(b, outs[k++].dataId) : 0;
  kernels.dot_bias_backward(
    offsetOf(b, inputs.dy!.dataId),
    ctx.ptr,
    g.n,
    g.f,
    offsetOf(b, outs[0].dataId),
    offsetOf(b, outs[1].dataId),
    dub,
    dmb,
    g.nu,
    g.nm,
    g.ranged ? 1 : 0,
    g.lo,
    g.span,
  );
  b.wasm._free(ctx.ptr);
  wasmContexts.delete(inputs.y!.dataId);
  return outs;
}

/**
 * Kernel configs of the fused dot-bias op (forward and backward, CPU and WASM), for
 * `tf.registerKernel` (done by `setupBackend()`).
 *
 * @example
 * ```ts
 * import { dotBiasKernels } from "./dot_bias.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(dotBiasKernels.length, 4, "expected 2 kernels x 2 backends");
 * ```
 */
export const dotBiasKernels: tf.KernelConfig[] = [
  kernelConfig(DOT_BIAS, "cpu", forwardCpu),
  kernelConfig(DOT_BIAS_GRAD, "cpu", backwardCpu),
  kernelConfig(DOT_BIAS, "wasm", forwardWasm),
  kernelConfig(DOT_BIAS_GRAD, "wasm", backwardWasm),
];

/**
 * The gradient of the fused op: one backward kernel computes the gradients of all tables at
 * once (they share the scaled upstream gradient), each input then takes its own.
 *
 * @example
 * ```ts
 * import { dotBiasGradient } from "./dot_bias.ts";
 * import { assertEquals } from "@std/assert";
 * assertEquals(dotBiasGradient.kernelName, "EmbeddingDotBias", "wrong kernel");
 * ```
 */
export const dotBiasGradient: tf.GradConfig = {
  kernelName: DOT_BIAS,
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [y] = saved;
    // Computed eagerly, inside the engine's backward scope: gradients nobody asks for (a
    // frozen table) are disposed with that scope.
    const grads = tf.engine().runKernel(
      DOT_BIAS_GRAD,
      { dy: dy as tf.Tensor, y },
      attrs,
    ) as tf.Tensor[];
    const [ubShape, mbShape] = biasShapes(attrs);
    const out: Record<string, () => tf.Tensor> = {
      userFactors: () => grads[0],
      movieFactors: () => grads[1],
    };
    let k = 2;
    if (ubShape) {
      const g = grads[k++];
      out.userBias = () => g;
    }
    if (mbShape) {
      const g = grads[k++];
      out.movieBias = () => g;
    }
    return out;
  },
};

/**
 * The dot-bias model's forward pass: `dot(U[u], M[m]) (+ ub[u] + mb[m]) (+ offset)`, then
 * `sigmoid(·)·(hi − lo) + lo` if `yRange` is given. Differentiable with respect to every table.
 * Uses the fused kernels when the active backend has them (see `setupBackend()`), stock ops
 * otherwise.
 *
 * @param weights The factor tables and (optional) bias tables.
 * @param ids `[users, movies]`: int32 row indices, `[n]` or `[n, 1]` each.
 * @param options Output range and offset.
 * @returns The predictions, float32 `[n, 1]`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setupBackend } from "../backend.ts";
 * import { dotBias } from "./dot_bias.ts";
 * import { assertEquals } from "@std/assert";
 * await setupBackend({ backend: "cpu" });
 * const y = dotBias(
 *   { userFactors: tf.tensor2d([[1, 2]]), movieFactors: tf.tensor2d([[3, 4], [5, 6]]) },
 *   [tf.tensor1d([0, 0], "int32"), tf.tensor1d([0, 1], "int32")],
 * );
 * assertEquals(y.arraySync()[1][0], 17, "expected 1*5 + 2*6 = 17");
 * ```
 */
export function dotBias(
  weights: DotBiasWeights,
  ids: readonly [tf.Tensor, tf.Tensor],
  options: DotBiasOptions = {},
): tf.Tensor2D {
  const { userFactors, movieFactors, userBias, movieBias } = weights;
  const [users, movies] = ids;
  const yRange = options.yRange ?? null;
  if (yRange && !(yRange[1] > yRange[0])) {
    throw new RangeError(`dotBias: expected yRange [lo, hi] with lo < hi, found [${yRange}]`);
  }
  const offset = options.offset ?? 0;
  if (tf.getKernel(DOT_BIAS, tf.getBackend()) === undefined) {
    return composite(weights, ids, yRange, offset);
  }
  const inputs: tf.NamedTensorMap = { users, movies, userFactors, movieFactors };
  if (userBias) inputs.userBias = userBias;
  if (movieBias) inputs.movieBias = movieBias;
  const attrs = {
    saveContext: isTapeOn(),
    numUsers: userFactors.shape[0],
    numMovies: movieFactors.shape[0],
    factors: userFactors.shape[1] ?? 0,
    ranged: yRange !== null,
    lo: yRange?.[0] ?? 0,
    hi: yRange?.[1] ?? 1,
    offset,
    userBiasShape: userBias ? userBias.shape : [],
    movieBiasShape: movieBias ? movieBias.shape : [],
  };
  return tf.engine().runKernel(DOT_BIAS, inputs, attrs) as tf.Tensor2D;
}

/**
 * The dot-bias model's forward pass written out in plain tf ops, on rows already looked up:
 * `dot(u, m) + ub + mb + offset`, then `sigmoid(·)·(hi − lo) + lo` when `yRange` is given.
 * This is what the fused kernels compute, in one place: {@linkcode dotBias} runs it on a
 * backend without them, and the tests use it as the oracle of the kernels (value and gradient).
 *
 * @param u User factor rows, `[n, factors]`.
 * @param m Movie factor rows, `[n, factors]`.
 * @param ub User biases, `[n, 1]`, or null for none.
 * @param mb Movie biases, `[n, 1]`, or null for none.
 * @param yRange Output range `[lo, hi]`, or null for the raw score.
 * @param offset A constant added to the raw score.
 * @returns The predictions, `[n, 1]`.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertEquals } from "@std/assert";
 * import { dotBiasForward } from "./dot_bias.ts";
 * const y = dotBiasForward(tf.tensor2d([[1, 2]]), tf.tensor2d([[3, 4]]), tf.tensor2d([[0.5]]), null);
 * assertEquals(y.arraySync(), [[11.5]]); // 1·3 + 2·4 + 0.5
 * ```
 */
export function dotBiasForward(
  u: tf.Tensor,
  m: tf.Tensor,
  ub: tf.Tensor | null,
  mb: tf.Tensor | null,
  yRange: readonly [number, number] | null = null,
  offset = 0,
): tf.Tensor2D {
  return tf.tidy(() => {
    let z = tf.sum(tf.mul(u, m), -1, true); // dot(u, m), one per row
    if (ub) z = tf.add(z, ub);
    if (mb) z = tf.add(z, mb);
    if (offset !== 0) z = tf.add(z, offset);
    if (yRange) z = tf.add(tf.mul(tf.sigmoid(z), yRange[1] - yRange[0]), yRange[0]);
    return z as tf.Tensor2D;
  });
}

/** {@linkcode dotBiasForward} on the rows of the given ids (any backend, stock gradients). */
function composite(
  weights: DotBiasWeights,
  ids: readonly [tf.Tensor, tf.Tensor],
  yRange: readonly [number, number] | null,
  offset: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const users = tf.reshape(ids[0], [-1]) as tf.Tensor1D;
    const movies = tf.reshape(ids[1], [-1]) as tf.Tensor1D;
    const rows = (table: tf.Tensor | null | undefined, idx: tf.Tensor1D) =>
      table ? tf.reshape(tf.gather(table, idx), [idx.shape[0], -1]) : null;
    return dotBiasForward(
      rows(weights.userFactors, users)!,
      rows(weights.movieFactors, movies)!,
      rows(weights.userBias, users),
      rows(weights.movieBias, movies),
      yRange,
      offset,
    );
  });
}
