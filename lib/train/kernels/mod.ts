/**
 * Custom tfjs kernels and gradients that make embedding models train fast in Deno, on the CPU
 * backend (JavaScript) and the WASM backend (WebAssembly SIMD on the backend's own heap, from
 * `kernels.wat`). `setupBackend()` in `../backend.ts` registers them all
 * (`registerTrainingKernels` in `register.ts`); every stock tfjs class or method they replace
 * is declared and checked in `lib/_tfjs_internals.ts`. The families:
 *
 * - **Embedding lookups** (`gather.ts`, `segment_sum.ts`): `GatherV2` as one bounds-checked row
 *   copy per id, its gradient as one `UnsortedSegmentSum` (a single pass; the WASM backend has
 *   none of its own), and tfjs-layers' `Embedding` running the lookup as that one kernel.
 * - **The fused dot-bias model** (`dot_bias.ts`): `dot(U[u], M[m]) + ub[u] + mb[m]` through an
 *   optional sigmoid range, one kernel forward and one backward (the `EmbeddingDotBias` layer
 *   of `lib/models`).
 * - **Stock layers of a recommender written as code**: the `Dot` layer on rows as one
 *   `RowDot` kernel and one `RowDotGrad` (`row_dot.ts`); `Add` as one sum kernel whose gradient
 *   hands every input the upstream gradient in one `FanOut` (`merge.ts`); the sigmoid's
 *   gradient as one kernel, `Rescaling` as one `ScaleShift`, `Activation` and `Flatten` without
 *   scope bookkeeping (`activation.ts`).
 * - **Dense layers** (`dense.ts`): SIMD matrix products (`BatchMatMul`, `_FusedMatMul` with bias
 *   and relu), sums over leading axes (bias gradients) in one pass and over innermost axes (a
 *   softmax's rows) eight rows at a time, both with the stock `Sum`'s bits, maxima over innermost
 *   axes in one SIMD pass with the stock `Max`'s bits, a relu-gradient kernel, and tfjs-layers'
 *   `Dense` running as one fused kernel.
 * - **Copies** (`copy.ts`, `identity.ts`): `Concat`, `Slice` and `SplitV` as block copies, and a
 *   zero-copy `Identity` and same-dtype `Cast` (WASM).
 * - **Dropout** (`dropout.ts`): masks from sfc32 in one kernel, seeded per step by the training
 *   loop, and tfjs-layers' `Dropout` using it; `GaussianNoise`, `GaussianDropout` and
 *   `AlphaDropout` draw their training noise from sfc32 under the same per-step seed
 *   (`noise.ts`), where tfjs draws it unseeded.
 * - **Losses** (`loss.ts`): mean squared error, mean absolute error and binary cross-entropy
 *   as one kernel forward and one backward.
 * - **Softplus** (`softplus.ts`): BPR's `softplus` on the native library's cores where it gives
 *   the WebAssembly kernel's bits (checked on a probe before it runs).
 * - **Exponential** (`exp.ts`): the softmax loss's `exp` in the native library's vectors,
 *   computed step by step as the WebAssembly build's `expf` computes it (the same bits on every
 *   input).
 * - **Reduction gradients** (`spread.ts`): the gradients of `Sum` and `Mean` as one `Spread`
 *   of the upstream gradient, without tfjs' tensor of ones (the same bits).
 * - **Saved tensors** (`engine.ts`): a tensor an op keeps for its gradient becomes a
 *   reference-counted handle instead of a copy.
 *
 * The fused Adam update that goes with them lives in `../optimizer.ts` (its SIMD loop is
 * `adam` in `kernels.wat`). On Linux x86-64 with a C compiler, `_native.ts` builds wider-vector
 * twins of the Adam loop and the dense product (`native_kernels.c`, the same bits), and of the
 * update of `spd_inverse.ts`, the matrix inverse behind EASE in `lib/eval`.
 *
 * @module
 */
export * from "./activation.ts";
export * from "./copy.ts";
export * from "./dense.ts";
export * from "./dot_bias.ts";
export * from "./dropout.ts";
export * from "./engine.ts";
export * from "./exp.ts";
export * from "./gather.ts";
export * from "./identity.ts";
export * from "./loss.ts";
export * from "./merge.ts";
export * from "./register.ts";
export * from "./row_dot.ts";
export * from "./segment_sum.ts";
export * from "./softplus.ts";
export * from "./spread.ts";
