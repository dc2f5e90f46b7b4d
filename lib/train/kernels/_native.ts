/**
 * The native kernels (`native_kernels.c`): on Linux x86-64 with a C compiler, the fused Adam
 * pass runs in the CPU's widest vectors (AVX-512F, else AVX2, else SSE2) and the dense layers'
 * product in AVX-512 or AVX2, instead of 128-bit WebAssembly SIMD, with the same results to the
 * bit; so does the update of EASE's blocked matrix inverse (`spd_inverse.ts`) instead of a
 * JavaScript loop, tfjs' softplus (BPR's loss) on every core (`softplus.ts`, which checks
 * that this machine's libm gives the WebAssembly kernel's bits before it uses it), and tfjs'
 * exponential (the softmax's) in vectors, computed as the WebAssembly build's `expf` computes it
 * (`exp.ts`).
 * {@linkcode loadNativeKernels} compiles the source once into `.cache/native/` (named by a
 * hash of the source and the flags, written under a temporary name of its own and renamed, so a
 * half-written library is never loaded, not even while parallel test workers build it at once)
 * and opens it through Deno's FFI; `setupBackend()` calls it. Anything missing — another
 * platform, no compiler, a permission, `NATIVE_KERNELS=off` — leaves the WebAssembly kernels in
 * charge, which compute the same numbers more slowly;
 * {@linkcode nativeKernelsStatus} says which runs and why, and a compiler that fails or a
 * library that does not open is also reported once on stderr.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { type AdamConstants, offsetOf, type WasmBackend, wasmContext } from "./_wasm.ts";
import { abandoned, exists } from "../../_atomic_write.ts";

/** The C function's signature (pointers into the WASM heap, then the step's constants). */
const ADAM_SIGNATURE = {
  parameters: [
    "pointer",
    "pointer",
    "pointer",
    "pointer",
    "i32",
    "f32",
    "f32",
    "f32",
    "f32",
    "f32",
    "f32",
    "f32",
    "f32",
    "f32",
  ],
  result: "f32",
} as const;

const GEMM_SIGNATURE = {
  parameters: ["pointer", "pointer", "pointer", "i32", "i32", "i32", "i32"],
  result: "void",
} as const;

const SWEEP_SIGNATURE = {
  parameters: ["buffer", "buffer", "buffer", "i32", "i32", "i32"],
  result: "void",
} as const;

const ELEMENTWISE_SIGNATURE = {
  parameters: ["pointer", "pointer", "i32"],
  result: "void",
} as const;

const SYMBOLS = {
  adam_sse2: ADAM_SIGNATURE,
  adam_avx2: ADAM_SIGNATURE,
  adam_avx512: ADAM_SIGNATURE,
  cpu_level: { parameters: [], result: "i32" },
  gemm_avx512: GEMM_SIGNATURE,
  gemm_avx2: GEMM_SIGNATURE,
  sweep_avx512: SWEEP_SIGNATURE,
  sweep_avx2: SWEEP_SIGNATURE,
  sweep_threads: { parameters: ["i32"], result: "i32" },
  set_cores: { parameters: ["i32"], result: "void" },
  softplus: ELEMENTWISE_SIGNATURE,
  exp_sse2: ELEMENTWISE_SIGNATURE,
  exp_avx2: ELEMENTWISE_SIGNATURE,
  exp_avx512: ELEMENTWISE_SIGNATURE,
} as const;

/** The vector widths of `native_kernels.c`, narrowest first. */
export const NATIVE_VARIANTS = ["sse2", "avx2", "avx512f"] as const;

/** One of {@linkcode NATIVE_VARIANTS}. */
export type NativeVariant = typeof NATIVE_VARIANTS[number];

/** One native Adam step: byte pointers into one buffer for w, g, m and v, then the constants. */
export type NativeAdamFn = (
  w: Deno.PointerValue,
  g: Deno.PointerValue,
  m: Deno.PointerValue,
  v: Deno.PointerValue,
  n: number,
  ...constants: AdamConstants
) => number;

/**
 * `kernels.wat`'s `gemm` (C[m, n] += op(A) · B; `ta` 1 when A is stored transposed) on byte
 * pointers, in AVX-512 or AVX2 vectors, with the same bits.
 */
export type NativeGemmFn = (
  a: Deno.PointerValue,
  b: Deno.PointerValue,
  c: Deno.PointerValue,
  m: number,
  k: number,
  n: number,
  ta: number,
) => void;

/**
 * One block's update of `invertSpd()`'s blocked sweep (`spd_inverse.ts`, whose `sweepUpdate`
 * computes the same in JavaScript), in AVX-512 or AVX2 vectors, with the same bits.
 */
export type NativeSweepFn = (
  a: Float64Array,
  v: Float64Array,
  w: Float64Array,
  n: number,
  k0: number,
  b: number,
) => void;

/** A native elementwise function: `n` floats from `x` into `out` (byte pointers, no overlap). */
export type NativeElementwiseFn = (x: Deno.PointerValue, out: Deno.PointerValue, n: number) => void;

/** tfjs' WebAssembly `Softplus`, on every core (see `softplus.ts` for when it runs). */
export type NativeSoftplusFn = NativeElementwiseFn;

/** tfjs' WebAssembly `Exp`, with its bits on every input (see `exp.ts`). */
export type NativeExpFn = NativeElementwiseFn;

/** What tfjs passes a kernel of one input `x`. */
export interface ElementwiseArgs {
  inputs: { x: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/**
 * Runs a native elementwise function over a float32 tensor of the WASM backend, into a new tensor
 * of its shape on the same heap (the native softplus and exponential).
 *
 * @param backend The WASM backend holding `x`.
 * @param x A float32 tensor with at least one element.
 * @param fn The native function.
 * @returns The output tensor.
 */
export function runElementwise(
  backend: WasmBackend,
  x: tf.TensorInfo,
  fn: NativeElementwiseFn,
): tf.TensorInfo {
  const { memory } = wasmContext(backend);
  const out = backend.makeOutput(x.shape, "float32");
  const pointers = heapPointers(memory, [
    offsetOf(backend, x.dataId),
    offsetOf(backend, out.dataId),
  ]);
  fn(pointers[0], pointers[1], x.shape.reduce((a, c) => a * c, 1));
  return out;
}

/** The loaded library. */
export interface NativeKernels {
  /** The variant the CPU runs best, used by the optimizer. */
  variant: NativeVariant;
  /** That variant's step. */
  step: NativeAdamFn;
  /** Every variant this CPU can run (for tests that compare each with the WASM kernel). */
  variants: Partial<Record<NativeVariant, NativeAdamFn>>;
  /** The dense layers' product in the widest vectors (AVX-512 or AVX2), or `null` without. */
  gemm: NativeGemmFn | null;
  /** Every gemm variant this CPU can run (for tests). */
  gemms: Partial<Record<"avx2" | "avx512f", NativeGemmFn>>;
  /** The sweep update in the widest vectors (AVX-512 or AVX2), or `null` without. */
  sweep: NativeSweepFn | null;
  /** Every sweep variant this CPU can run (for tests). */
  sweeps: Partial<Record<"avx2" | "avx512f", NativeSweepFn>>;
  /**
   * The threads a sweep update of order n runs on (one per core this process may run on, as
   * `navigator.hardwareConcurrency` counts them, at most 8 and one per column tile of 512;
   * `NATIVE_KERNELS_THREADS` caps them).
   */
  sweepThreads: (n: number) => number;
  /** The softplus (see `softplus.ts` for when it runs). */
  softplus: NativeSoftplusFn;
  /** The exponential in the widest vectors this CPU runs (see `exp.ts`). */
  exp: NativeExpFn;
  /** Every exponential variant this CPU can run (for tests). */
  exps: Partial<Record<NativeVariant, NativeExpFn>>;
}

/**
 * Compiler flags: IEEE arithmetic as written (no FMA contraction, no reassociation); threads for
 * the sweep update and the softplus.
 */
const FLAGS = ["-O2", "-fPIC", "-shared", "-pthread", "-ffp-contract=off", "-fno-math-errno"];

/** Libraries, after the source: libm for the softplus' logarithm. */
const LIBS = ["-lm"];

let loaded: NativeKernels | null = null;
let enabled = true;
let status = "not loaded (setupBackend() loads them on the WASM backend)";
let pending: Promise<NativeKernels | null> | null = null;

/** The native kernels in force, or `null` when the WebAssembly kernels run. */
export function nativeKernels(): NativeKernels | null {
  return enabled ? loaded : null;
}

/** Which kernels run, and why: `"native avx512f"` (the Adam pass's vectors), or why not. */
export function nativeKernelsStatus(): string {
  if (loaded && !enabled) return "off (switched off by setNativeKernels(false))";
  return status;
}

/**
 * Native pointers to byte offsets of a WASM memory, for the native kernels. Take them right
 * before the call: growing the memory moves its buffer.
 *
 * @param memory The WASM backend's memory.
 * @param offsets Byte offsets into it.
 * @returns One pointer per offset.
 */
export function heapPointers(memory: WebAssembly.Memory, offsets: number[]): Deno.PointerValue[] {
  const buffer = memory.buffer;
  // The base pointer of the memory's current buffer, taken once per buffer: `of` on a view of a
  // large memory costs about a microsecond, and the engine calls this on every native call.
  let base = heapBases.get(memory);
  if (base === undefined || base.buffer !== buffer) {
    base = { buffer, pointer: Deno.UnsafePointer.of(new Uint8Array(buffer))! };
    heapBases.set(memory, base);
  }
  const pointer = base.pointer;
  return offsets.map((offset) => Deno.UnsafePointer.offset(pointer, offset));
}

/** Each memory's buffer when {@linkcode heapPointers} took its base pointer (growth: a new one). */
const heapBases = new WeakMap<
  WebAssembly.Memory,
  { buffer: ArrayBufferLike; pointer: Deno.PointerObject }
>();

/**
 * Switches the native kernels on or off for this process (tests compare both paths; the results
 * are the same either way).
 *
 * @param on Whether the optimizer, the dense product and the inverse's sweep may use the loaded
 *   library.
 */
export function setNativeKernels(on: boolean): void {
  enabled = on;
}

/**
 * Compiles (once per source version) and opens `native_kernels.c`; safe to call repeatedly.
 *
 * @returns The library, or `null` with the reason in {@linkcode nativeKernelsStatus}.
 */
export function loadNativeKernels(): Promise<NativeKernels | null> {
  pending ??= load().then((lib) => (loaded = lib));
  return pending;
}

/** The variants of one kernel that a CPU of `level` (1 SSE2, 2 AVX2, 3 AVX-512F) runs. */
function upTo<F>(level: number, all: Record<NativeVariant, F>): Partial<Record<NativeVariant, F>> {
  return Object.fromEntries(NATIVE_VARIANTS.slice(0, level).map((v) => [v, all[v]]));
}

/** The AVX2 and AVX-512 variants of one kernel that a CPU of `level` runs, and the widest. */
function wide<F>(level: number, avx2: unknown, avx512: unknown) {
  const all: Partial<Record<"avx2" | "avx512f", F>> = {};
  if (level >= 2) all.avx2 = avx2 as F;
  if (level >= 3) all.avx512f = avx512 as F;
  return { widest: all.avx512f ?? all.avx2 ?? null, all };
}

async function load(): Promise<NativeKernels | null> {
  const no = (why: string) => {
    status = `off (${why}): the WebAssembly kernel runs`;
    return null;
  };
  try {
    if (Deno.env.get("NATIVE_KERNELS") === "off") return no("NATIVE_KERNELS=off");
  } catch {
    // no --allow-env: the default applies
  }
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") {
    return no(`needs Linux on x86-64, found ${Deno.build.os} on ${Deno.build.arch}`);
  }
  const source = new URL("./native_kernels.c", import.meta.url);
  if (source.protocol !== "file:") return no("the library is not on the local disk");
  try {
    const lib = await openLibrary(source, SYMBOLS);
    // Deno's count of the cores this process may use: its affinity and a container's CPU quota.
    lib.symbols.set_cores(navigator.hardwareConcurrency);
    const level = lib.symbols.cpu_level(); // 1 SSE2, 2 AVX2, 3 AVX-512F
    const best = NATIVE_VARIANTS[level - 1];
    const all: Record<NativeVariant, NativeAdamFn> = {
      sse2: lib.symbols.adam_sse2 as NativeAdamFn,
      avx2: lib.symbols.adam_avx2 as NativeAdamFn,
      avx512f: lib.symbols.adam_avx512 as NativeAdamFn,
    };
    const variants = upTo<NativeAdamFn>(level, all);
    const { widest: gemm, all: gemms } = wide<NativeGemmFn>(
      level,
      lib.symbols.gemm_avx2,
      lib.symbols.gemm_avx512,
    );
    const { widest: sweep, all: sweeps } = wide<NativeSweepFn>(
      level,
      lib.symbols.sweep_avx2,
      lib.symbols.sweep_avx512,
    );
    status = `native ${best}`;
    const sweepThreads = (n: number) => lib.symbols.sweep_threads(n);
    const softplus = lib.symbols.softplus as NativeSoftplusFn;
    const expAll: Record<NativeVariant, NativeExpFn> = {
      sse2: lib.symbols.exp_sse2 as NativeExpFn,
      avx2: lib.symbols.exp_avx2 as NativeExpFn,
      avx512f: lib.symbols.exp_avx512 as NativeExpFn,
    };
    const exps = upTo<NativeExpFn>(level, expAll);
    return {
      variant: best,
      step: all[best],
      variants,
      gemm,
      gemms,
      sweep,
      sweeps,
      sweepThreads,
      softplus,
      exp: expAll[best],
      exps,
    };
  } catch (e) {
    const why = e instanceof Error ? e.message.split("\n")[0] : String(e);
    // No compiler is a normal set-up; a compiler that fails, a library that does not open or a
    // file that vanishes (a NotFound too) is not, so say it once.
    if (!(e instanceof NoCompilerError)) {
      console.warn(
        `setupBackend(): the native kernels did not build (${why}); the WebAssembly kernels ` +
          "run instead (the same results, slower)",
      );
    }
    return no(why);
  }
}

/** Where {@linkcode buildLibrary} compiles and finds the library, and with what (for tests). */
export interface BuildOptions {
  /**
   * The folder of compiled libraries.
   *
   * @default the project's `.cache/native/`
   */
  cacheDir?: URL;
  /**
   * The C compiler.
   *
   * @default `$CC`, else `cc`
   */
  compiler?: string;
}

/**
 * The command and arguments of a compiler setting: `CC` may carry arguments (`ccache cc`,
 * `gcc -m64`), as make reads it.
 *
 * @param compiler The setting, by default `$CC`, else `cc`.
 * @returns The command, then its arguments.
 */
export function compilerCommand(compiler = Deno.env.get("CC") || "cc"): string[] {
  return compiler.trim().split(/\s+/);
}

/** No C compiler is installed: a normal set-up, which {@linkcode loadNativeKernels} keeps quiet. */
export class NoCompilerError extends Error {
  override name = "NoCompilerError";
}

/**
 * The compiled library's path, compiling `source` first when this version (a hash of the compiler,
 * the flags and the source) is not there yet. Callers may run at once, in one worker or several
 * of one process (`deno test --parallel`) or in several processes: each compiles to a temporary
 * name of its own and renames it into place, which is atomic, so a reader finds either no library
 * or a whole one; whoever comes second uses the first's. A failed build leaves no file behind, and the
 * temporaries of a build whose process was killed are removed by the next call
 * ({@linkcode removeStaleTemporaries}).
 *
 * @param source The C source, a `file:` URL.
 * @param options The cache folder and the compiler.
 * @returns The library's path.
 * @throws {NoCompilerError} When the compiler is not installed.
 * @throws {Error} When it fails, with its first line of stderr.
 */
export async function buildLibrary(source: URL, options: BuildOptions = {}): Promise<string> {
  const text = await Deno.readTextFile(source);
  const [command, ...compilerArgs] = compilerCommand(options.compiler);
  const compiler = [command, ...compilerArgs].join(" ");
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode([compiler, ...FLAGS, ...LIBS, text].join("\n")),
  );
  const hash = [...new Uint8Array(digest).slice(0, 8)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  const dir = options.cacheDir ?? new URL("../../../.cache/native/", import.meta.url);
  const target = new URL(`kernels-${hash}.so`, dir);
  await removeStaleTemporaries(dir);
  if (await exists(target)) return target.pathname;
  await Deno.mkdir(dir, { recursive: true });
  // Unique per call: workers of one process share its pid.
  const temporary = new URL(`kernels-${hash}.so.${Deno.pid}.${crypto.randomUUID()}.tmp`, dir);
  try {
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command(command, {
        args: [...compilerArgs, ...FLAGS, "-o", temporary.pathname, source.pathname, ...LIBS],
        stdout: "null",
        stderr: "piped",
      }).output();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new NoCompilerError(`no C compiler: ${command} not found`);
      }
      throw e;
    }
    const { code, stderr } = output;
    if (code !== 0) {
      const first = new TextDecoder().decode(stderr).trim().split("\n")[0] ?? "";
      const name = source.pathname.split("/").at(-1);
      throw new Error(`${compiler} failed on ${name} (exit ${code}): ${first}`);
    }
    if (await exists(target)) return target.pathname; // another caller finished first
    {
      // On disk before it takes its name, so that not even a crash leaves a short library there.
      using file = await Deno.open(temporary);
      await file.sync();
    }
    await Deno.rename(temporary, target).catch(async (e) => {
      if (!(await exists(target))) throw e;
    });
    return target.pathname;
  } finally {
    await Deno.remove(temporary).catch(() => {});
  }
}

/** A build's temporary name: the library's, the builder's process id, a random id. */
const TEMPORARY = /^kernels-[0-9a-f]{16}\.so\.(\d+)\.[0-9a-f-]{36}\.tmp$/;
/**
 * Removes the temporaries of builds that will never finish, left in `dir` by a process killed
 * while it compiled (its `finally` never ran): those of a process that no longer runs (Linux'
 * `/proc` tells; without it, those older than an hour). This process' own are never touched,
 * since its workers may be building them now, nor a running process's, however old (see
 * `abandoned()` in lib/_atomic_write.ts).
 *
 * @param dir The cache folder (it need not exist).
 * @returns The names removed.
 */
export async function removeStaleTemporaries(dir: URL): Promise<string[]> {
  const removed: string[] = [];
  // Tidying only: a folder that cannot be read, or a /proc that may not be, leaves things as they
  // are, and the build goes on (it reports what matters to it).
  try {
    const entries = await Array.fromAsync(Deno.readDir(dir));
    for (const { name, isFile } of entries) {
      const pid = isFile ? TEMPORARY.exec(name)?.[1] : undefined;
      if (pid === undefined) continue;
      const file = new URL(name, dir);
      if (!(await abandoned(file, Number(pid)))) continue;
      // Another process may be sweeping too: whoever comes second finds nothing.
      if (await Deno.remove(file).then(() => true, () => false)) removed.push(name);
    }
  } catch {
    // as above
  }
  return removed;
}

/**
 * Builds `source` when needed ({@linkcode buildLibrary}) and opens it. A file under the library's
 * name that does not open (a build an older version left half-written) is removed and built
 * again, once; a second failure is thrown.
 *
 * @param source The C source, a `file:` URL.
 * @param symbols The functions to bind.
 * @param options The cache folder and the compiler.
 * @returns The open library.
 */
export async function openLibrary<S extends Deno.ForeignLibraryInterface>(
  source: URL,
  symbols: S,
  options: BuildOptions = {},
): Promise<Deno.DynamicLibrary<S>> {
  const library = await buildLibrary(source, options);
  try {
    return Deno.dlopen(library, symbols);
  } catch {
    await Deno.remove(library).catch(() => {});
    return Deno.dlopen(await buildLibrary(source, options), symbols);
  }
}
