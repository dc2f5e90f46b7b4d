/**
 * Custom tfjs kernels for training embedding models fast in Deno: a one-pass
 * `UnsortedSegmentSum` (the gradient of an embedding lookup), a row-copy `GatherV2`, and the
 * dot-product-with-biases model as one fused op with its own gradient, on the CPU backend
 * (JavaScript) and the WASM backend (WebAssembly SIMD on the backend's own heap, from
 * `kernels.wat`). `setupBackend()` in `../backend.ts` registers them.
 *
 * @module
 */
export * from "./copy.ts";
export * from "./dense.ts";
export * from "./dot_bias.ts";
export * from "./dropout.ts";
export * from "./engine.ts";
export * from "./gather.ts";
export * from "./identity.ts";
export * from "./loss.ts";
export * from "./register.ts";
export * from "./segment_sum.ts";
