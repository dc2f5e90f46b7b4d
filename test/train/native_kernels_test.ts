import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertRejects } from "@std/assert";
import { setupBackend } from "../../lib/train/backend.ts";
import {
  buildLibrary,
  compilerCommand,
  heapPointers,
  loadNativeKernels,
  NATIVE_VARIANTS,
  type NativeExpFn,
  nativeKernels,
  nativeKernelsStatus,
  NoCompilerError,
  openLibrary,
  removeStaleTemporaries,
  setNativeKernels,
} from "../../lib/train/kernels/_native.ts";
import {
  type AdamConstants,
  type WasmBackend,
  wasmContext,
} from "../../lib/train/kernels/_wasm.ts";
import { adam } from "../../lib/train/optimizer.ts";
import { invertSpd } from "../../lib/train/kernels/spd_inverse.ts";
import {
  nativeSoftplusStatus,
  SOFTPLUS_THRESHOLD,
  softplusProbe,
} from "../../lib/train/kernels/softplus.ts";
import { fitRanking } from "../../lib/train/ranking.ts";
import { bprLoss, softmaxLoss } from "../../lib/train/ranking_losses.ts";
import { interactionMatrix } from "../../lib/eval/ranking_protocol.ts";
import { unaryBits } from "../../bench/unary_bench.ts";
import { randomSpd } from "../eval/_random_spd.ts";
import { createRng } from "../../lib/random.ts";
import { nativeChildEnvironment } from "../_child.ts";
import { withTempDir } from "../data/_helpers.ts";

/** Whether this machine could build the library: Linux x86-64 with a C compiler. */
async function canBuild(): Promise<boolean> {
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") return false;
  try {
    const [command, ...args] = compilerCommand();
    const { code } = await new Deno.Command(command, { args: [...args, "--version"] }).output();
    return code === 0;
  } catch {
    return false;
  }
}

/**
 * The developer's switch for the native kernels (README). This process keeps the environment it
 * was given (setting a variable here would change it for every test module beside this one), so
 * the checks below that need the native library stop when it is `NATIVE_KERNELS=off`, and the
 * children the tests start get an environment without the switches (`nativeChildEnvironment`).
 */
const NATIVE_OFF = Deno.env.get("NATIVE_KERNELS") === "off";

/** Whether the native library should have loaded in this process. */
async function nativeExpected(): Promise<boolean> {
  return !NATIVE_OFF && await canBuild();
}

/** Values a step can meet: ordinary ones, zeros of both signs, subnormals, infinities, NaN. */
function testValues(n: number, seed: number, scale: number, sparse = false): Float32Array {
  const rng = createRng(seed);
  const special = [0, -0, 1e-40, -3e-42, Infinity, -Infinity, NaN, 3e38, 1e-30];
  return Float32Array.from({ length: n }, (_, i) => {
    if (i % 97 === 13) return special[(i / 97 | 0) % special.length];
    if (sparse && i % 5 !== 0) return 0;
    return scale * rng.normal();
  });
}

const CONSTANT_SETS: AdamConstants[] = [
  // b1, ob1, b2, ob2, c, d, alpha, s, eps
  [0.9, 0.1, 0.999, 0.001, 0, 1, 1e-3, 1, 1e-7],
  [0.9, 0.1, 0.999, 0.001, 2e-4, 1, 1e-3, 1.0513, 1e-7],
  [0.8, 0.2, 0.99, 0.01, 3e-4, 1 - 1e-5, 0.0316, 1, 1e-8],
];

/** `text` contains `part`, or the test fails naming both. */
function assertIncludes(text: string, part: string) {
  assert(text.includes(part), `expected "${text}" to include "${part}"`);
}

Deno.test("the native kernels load where a C compiler exists, or says why it does not", async () => {
  await setupBackend({ backend: "wasm" });
  const lib = await loadNativeKernels();
  if (NATIVE_OFF) {
    assertEquals(lib, null);
    assertIncludes(nativeKernelsStatus(), "NATIVE_KERNELS=off");
    console.log(
      "NATIVE_KERNELS=off is set: the library's loading is checked in a child without it",
    );
    return;
  }
  if (await canBuild()) {
    assert(lib !== null, `expected the native step to load, found: ${nativeKernelsStatus()}`);
    assertEquals(nativeKernelsStatus(), `native ${lib.variant}`);
    assertEquals((await setupBackend({ backend: "wasm" })).adam, `native ${lib.variant}`);
  } else {
    assertEquals(lib, null);
    assertIncludes(nativeKernelsStatus(), "the WebAssembly kernel runs");
  }
});

Deno.test("every native variant gives the WebAssembly kernel's results to the bit", async () => {
  await setupBackend({ backend: "wasm" });
  const lib = await loadNativeKernels();
  if (lib === null) {
    assert(!(await nativeExpected()), `the native step should load here: ${nativeKernelsStatus()}`);
    return;
  }
  const backend = tf.backend() as unknown as WasmBackend;
  const { kernels, memory } = wasmContext(tf.backend());
  let compared = 0;
  for (const [variant, step] of Object.entries(lib.variants)) {
    for (const n of [0, 1, 3, 4, 5, 7, 8, 15, 16, 17, 31, 33, 100, 1001, 4099]) {
      for (const [k, constants] of CONSTANT_SETS.entries()) {
        const arrays = [
          testValues(n, 1 + k, 0.05),
          testValues(n, 2 + k, 0.01, true),
          testValues(n, 3 + k, 1e-4),
          testValues(n, 4 + k, 1e-7).map(Math.abs),
        ];
        // Two copies in the heap: one for the WASM kernel, one for the native step.
        const bytes = 4 * Math.max(n, 1);
        const blocks = [0, 1].map(() => arrays.map(() => backend.wasm._malloc(bytes) >>> 0));
        try {
          for (const copy of blocks) {
            copy.forEach((ptr, a) => new Float32Array(memory.buffer, ptr, n).set(arrays[a]));
          }
          const wasmSum = kernels.adam(
            blocks[0][0],
            blocks[0][1],
            blocks[0][2],
            blocks[0][3],
            n,
            ...constants,
          );
          const [w, g, m, v] = heapPointers(memory, blocks[1]);
          const nativeSum = step!(w, g, m, v, n, ...constants);
          assert(
            Object.is(Math.fround(wasmSum), Math.fround(nativeSum)),
            `${variant}, n ${n}, constants ${k}: sum of squares ${wasmSum} against ${nativeSum}`,
          );
          for (const a of [0, 2, 3]) { // w, m, v are written; g is read only
            const x = new Uint32Array(memory.buffer, blocks[0][a], n);
            const y = new Uint32Array(memory.buffer, blocks[1][a], n);
            const at = x.findIndex((bits, i) => bits !== y[i]);
            assertEquals(at, -1, `${variant}, n ${n}, constants ${k}: array ${a} differs at ${at}`);
          }
          compared++;
        } finally {
          for (const copy of blocks) for (const ptr of copy) backend.wasm._free(ptr);
        }
      }
    }
  }
  assertEquals(compared, Object.keys(lib.variants).length * 15 * CONSTANT_SETS.length);
  assert(Object.keys(lib.variants).includes(NATIVE_VARIANTS[0]), "SSE2 always runs on x86-64");
});

Deno.test("every native dense product gives the WebAssembly gemm's results to the bit", async () => {
  await setupBackend({ backend: "wasm" });
  const lib = await loadNativeKernels();
  if (lib === null || lib.gemm === null) {
    assert(lib === null || !cpuHasAvx512(), "this CPU runs AVX-512: gemm should be native");
    return;
  }
  const backend = tf.backend() as unknown as WasmBackend;
  const { kernels, memory } = wasmContext(tf.backend());
  let compared = 0;
  for (
    const [m, k, n] of [[1, 1, 1], [3, 5, 7], [4, 8, 16], [5, 9, 17], [64, 32, 128], [64, 128, 5], [
      70,
      64,
      33,
    ], [9, 100, 1]]
  ) {
    for (const ta of [0, 1]) {
      const rng = createRng(m * 1000 + k * 10 + n + ta);
      const values = (count: number) => Float32Array.from({ length: count }, () => rng.normal());
      const [A, B, C] = [values(m * k), values(k * n), values(m * n)];
      const ptrs = [0, 1].map(() => [A, B, C].map((x) => backend.wasm._malloc(4 * x.length) >>> 0));
      try {
        for (const copy of ptrs) {
          copy.forEach((ptr, i) =>
            new Float32Array(memory.buffer, ptr, [A, B, C][i].length).set([A, B, C][i])
          );
        }
        kernels.gemm(ptrs[0][0], ptrs[0][1], ptrs[0][2], m, k, n, ta);
        const [a, b, c] = heapPointers(memory, ptrs[1]);
        for (const [variant, gemm] of Object.entries(lib.gemms)) {
          new Float32Array(memory.buffer, ptrs[1][2], m * n).set(C);
          gemm!(a, b, c, m, k, n, ta);
          const x = new Uint32Array(memory.buffer, ptrs[0][2], m * n);
          const y = new Uint32Array(memory.buffer, ptrs[1][2], m * n);
          const at = x.findIndex((bits, i) => bits !== y[i]);
          assertEquals(at, -1, `${variant}, m ${m}, k ${k}, n ${n}, ta ${ta}: C differs at ${at}`);
          compared++;
        }
      } finally {
        for (const copy of ptrs) for (const ptr of copy) backend.wasm._free(ptr);
      }
    }
  }
  assertEquals(compared, 16 * Object.keys(lib.gemms).length);
});

Deno.test("every native sweep update gives invertSpd()'s JavaScript results to the bit", async () => {
  const lib = await loadNativeKernels();
  if (lib === null || lib.sweep === null) {
    assert(lib === null || !cpuHasAvx512(), "this CPU runs AVX-512: the sweep should be native");
    return;
  }
  const chosen = lib.sweep;
  let compared = 0;
  try {
    // One block, a block and a pivot, whole blocks, and a part block at the end; then several
    // column tiles of 512, which the cores share (the last of 1,030 is six columns wide).
    for (const n of [1, 5, 63, 64, 65, 130, 200, 1030]) {
      const a = randomSpd(n, n, 0.3); // sparse: exact zeros occur
      lib.sweep = null;
      const js = a.slice();
      invertSpd(js, n);
      for (const [variant, sweep] of Object.entries(lib.sweeps)) {
        lib.sweep = sweep!;
        const x = a.slice();
        invertSpd(x, n);
        const want = new Uint32Array(js.buffer), got = new Uint32Array(x.buffer);
        const at = got.findIndex((bits, i) => bits !== want[i]);
        assertEquals(at, -1, `${variant}, n ${n}: the inverse differs at ${at >> 1}`);
        compared++;
      }
    }
  } finally {
    lib.sweep = chosen;
  }
  assertEquals(compared, 8 * Object.keys(lib.sweeps).length);
});

/** Whether /proc/cpuinfo lists AVX-512F (Linux). */
function cpuHasAvx512(): boolean {
  try {
    return / avx512f( |$)/m.test(Deno.readTextFileSync("/proc/cpuinfo"));
  } catch {
    return false;
  }
}

/** Bit patterns that reach every branch of the exponential, and its neighbours. */
const EXP_SPECIALS = [
  0x00000000,
  0x80000000,
  0x7f800000,
  0xff800000, // ±0, ±∞
  0x7fc00000,
  0xffc12345,
  0x7f800001,
  0xff812345, // quiet and signalling NaNs with payloads
  0x42b00000,
  0xc2b00000,
  0x42afffff,
  0xc2afffff, // ±88 and the floats just inside
  0x42b17217,
  0x42b17218,
  0xc2cff1b4,
  0xc2cff1b5, // the overflow and underflow points, and past
  0xc2b80000,
  0xc2c00000,
  0xc2ce0000, // subnormal results
  0xc27c65d9,
  0x4202422f, // where glibc's expf on an FMA CPU differs from the WebAssembly build's
  0x00000001,
  0x80000001,
  0x33800000,
  0xb3800000, // the smallest floats, ±2⁻²⁴
  0x3f317218,
  0x3eb17218,
  0x41800000,
  0xc1800000, // ln 2, ln 2 / 2, ±16
];

/** The values the exponential's tests compare: the specials, every 4,096th pattern, a million draws. */
function expValues(): Float32Array {
  const bits = [...EXP_SPECIALS];
  for (let b = 0; b < 2 ** 32; b += 4_096 + 7) bits.push(b);
  const patterns = new Float32Array(new Uint32Array(bits).buffer);
  return Float32Array.from([...patterns, ...testValues(1_000_000, 31, 8)]);
}

/** `fn` over `values` into a fresh array one longer, whose last element must stay untouched. */
function runExp(fn: NativeExpFn, values: Float32Array): Uint32Array {
  const out = new Float32Array(values.length + 1).fill(1234.5);
  fn(Deno.UnsafePointer.of(values), Deno.UnsafePointer.of(out), values.length);
  assertEquals(out[values.length], 1234.5, "wrote past the end");
  return new Uint32Array(out.buffer, 0, values.length);
}

Deno.test("every native exp variant and tf.exp give the WebAssembly kernel's bits", async () => {
  await setupBackend({ backend: "wasm" });
  const lib = await loadNativeKernels();
  const values = expValues();
  const withWasm = unaryBits("exp", values, false);
  // The reference itself: e^0 = 1, e^-∞ = 0, e^∞ = ∞, NaN stays NaN, 88.73 overflows.
  const f = new Float32Array(withWasm.buffer);
  assertEquals([f[0], f[3], f[2], f[13]], [1, 0, Infinity, Infinity]);
  assert(Number.isNaN(f[4]) && Number.isNaN(f[7]));
  const viaOp = unaryBits("exp", values, true);
  const first = viaOp.findIndex((b, i) => b !== withWasm[i]);
  assertEquals(first, -1, `tf.exp differs on ${values[first]} (value ${first})`);
  if (lib === null) return;
  assert(Object.keys(lib.exps).includes("sse2") && lib.exps[lib.variant] === lib.exp);
  for (const [variant, fn] of Object.entries(lib.exps)) {
    const got = runExp(fn!, values);
    const at = got.findIndex((b, i) => b !== withWasm[i]);
    assertEquals(at, -1, `${variant}: differs on ${values[at]} (value ${at})`);
    // Every tail length of the vector loops, from inputs that start at each special.
    for (let n = 0; n <= 40; n++) {
      const part = values.subarray(n, 2 * n);
      assertEquals(runExp(fn!, part), withWasm.subarray(n, 2 * n), `${variant}, n ${n}`);
    }
  }
});

Deno.test("tf.exp runs on the native library for float32 tensors only, and not when switched off", async () => {
  await setupBackend({ backend: "wasm" });
  const lib = await loadNativeKernels();
  if (lib === null) return; // nothing native to check on this machine
  const real = lib.exp;
  let calls = 0;
  lib.exp = (x, out, n) => (calls++, real(x, out, n));
  try {
    const run = (x: tf.Tensor) => tf.tidy(() => Array.from(tf.exp(x).dataSync()));
    const ints = tf.tensor1d([0, 1, 2], "int32"), floats = tf.tensor1d([0, 1, 2]);
    assertEquals(run(ints).map((v) => v.toFixed(4)), ["1.0000", "2.7183", "7.3891"]);
    assertEquals(calls, 0);
    assertEquals(run(floats), run(ints));
    assertEquals(calls, 1);
    setNativeKernels(false);
    assertEquals(run(floats), run(ints));
    assertEquals(calls, 1);
    assertEquals(tf.tidy(() => tf.exp(tf.tensor1d([])).shape), [0]);
    tf.dispose([ints, floats]);
  } finally {
    setNativeKernels(true);
    lib.exp = real;
  }
});

Deno.test("training with the native step or the WebAssembly kernel gives the same weights", async () => {
  await setupBackend({ backend: "wasm" });
  await loadNativeKernels();
  const run = (native: boolean) => {
    setNativeKernels(native);
    try {
      const rng = createRng(7);
      const w = tf.variable(
        tf.tensor2d(Array.from({ length: 300 * 8 }, () => rng.normal()), [300, 8]),
      );
      const x = tf.tensor2d(Array.from({ length: 64 * 8 }, () => rng.normal()), [64, 8]);
      const ids = tf.tensor1d(Array.from({ length: 64 }, (_, i) => (i * 37) % 300), "int32");
      const opt = adam({ learningRate: 0.01, weightDecay: 1e-3 });
      const losses: number[] = [];
      for (let step = 0; step < 20; step++) {
        const loss = opt.minimize(
          () => tf.mean(tf.square(tf.sub(tf.gather(w, ids), x))) as tf.Scalar,
          true,
        )!;
        losses.push(loss.dataSync()[0]);
        loss.dispose();
      }
      const weights = Array.from(new Uint32Array((w.dataSync() as Float32Array).buffer));
      tf.dispose([w, x, ids]);
      opt.dispose();
      return { losses, weights };
    } finally {
      setNativeKernels(true);
    }
  };
  const withNative = run(true), withWasm = run(false);
  assertEquals(withNative.losses, withWasm.losses);
  assertEquals(withNative.weights, withWasm.weights);
  if (nativeKernels() !== null) assert(withNative.losses.at(-1)! < withNative.losses[0]);
});

/** Calls the loaded native softplus through a spy; records each call's size. */
function spyOnSoftplus(lib: NonNullable<ReturnType<typeof nativeKernels>>) {
  const real = lib.softplus, sizes: number[] = [];
  lib.softplus = (x, out, n) => {
    sizes.push(n);
    real(x, out, n);
  };
  return { sizes, restore: () => void (lib.softplus = real) };
}

Deno.test("the native softplus gives the WebAssembly kernel's bits, and runs only after its probe agreed", async () => {
  await setupBackend({ backend: "wasm" });
  const lib = await loadNativeKernels();
  const probe = softplusProbe();
  // The probe's specials reach every branch: e^x, log(1 + e^x), x itself, ±∞ and NaN.
  assertEquals(probe.length, 65_542);
  assert(Number.isNaN(probe.at(-1)!) && probe.some((x) => x > 14) && probe.some((x) => x < -14));
  // Draws around 0, wider ones (a fifth of them in the e^x branch), and the probe.
  const values = Float32Array.from([
    ...testValues(1_000_000, 21, 6),
    ...testValues(200_000, 24, 60),
    ...probe,
  ]);
  assert(values.filter((x) => x < SOFTPLUS_THRESHOLD).length > 20_000);
  const withWasm = unaryBits("softplus", values, false);
  if (lib === null) {
    assertEquals(nativeSoftplusStatus(), "wasm");
    return;
  }
  const spy = spyOnSoftplus(lib);
  try {
    const withNative = unaryBits("softplus", values, true);
    assert(withNative.every((b, i) => b === withWasm[i]), "expected the same bits everywhere");
    // A libm that disagrees on the probe is a machine's fact, not a fault (said on stderr): the
    // WebAssembly kernel then ran, and the bits above are its own.
    if (nativeSoftplusStatus().includes("differs")) return;
    assertEquals(nativeSoftplusStatus(), "native");
    assertEquals(
      spy.sizes.at(-1),
      values.length,
      "expected the native kernel to compute this tensor",
    );
  } finally {
    spy.restore();
  }
});

Deno.test("the native softplus computes its e^x branch too, with the WebAssembly kernel's bits", async () => {
  await setupBackend({ backend: "wasm" });
  const lib = await loadNativeKernels();
  if (lib === null) return; // nothing native to check on this machine
  // −63.09946 (0xc27c65d9): where glibc's expf on an FMA CPU and the WebAssembly build's differ.
  const values = new Float32Array(new Uint32Array([0xc27c65d9, 0x3f800000, 0xc0000000]).buffer);
  const spy = spyOnSoftplus(lib);
  try {
    assertEquals(unaryBits("softplus", values, true), unaryBits("softplus", values, false));
    if (nativeSoftplusStatus().includes("differs")) return; // the WebAssembly kernel ran
    assertEquals(spy.sizes.at(-1), 3, "expected the native kernel to compute the whole tensor");
  } finally {
    spy.restore();
  }
});

Deno.test("a native softplus that disagrees with the WebAssembly kernel on the probe is not used, and says so", async () => {
  await setupBackend({ backend: "wasm" });
  const lib = await loadNativeKernels();
  if (lib === null) return; // nothing native to check on this machine
  const real = lib.softplus;
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
  // One value off: each output is the softplus of the next input.
  lib.softplus = (x, out, n) => real(Deno.UnsafePointer.offset(x!, 4), out, n - 1);
  try {
    const values = testValues(5_000, 22, 4);
    assertEquals(unaryBits("softplus", values, true), unaryBits("softplus", values, false));
    assertEquals(nativeSoftplusStatus(), "wasm (the native kernel differs on this machine)");
    assertEquals(warnings.length, 1);
    assertIncludes(warnings[0], "the WebAssembly kernel runs");
  } finally {
    lib.softplus = real;
    console.warn = warn;
  }
  unaryBits("softplus", new Float32Array([1]), true);
  assertEquals(nativeSoftplusStatus(), "native");
});

for (
  const [name, loss, negatives] of [["BPR", bprLoss, 16], ["the softmax", softmaxLoss, 0]] as const
) {
  Deno.test(`${name} trains to the same weights with the native kernels or the WebAssembly ones`, async () => {
    await setupBackend({ backend: "wasm" });
    await loadNativeKernels();
    const rng = createRng(23);
    const users: number[] = [], movies: number[] = [];
    for (let u = 0; u < 120; u++) {
      for (let m = 0; m < 300; m++) if (rng.next() < 0.1) users.push(u), movies.push(m);
    }
    const positives = interactionMatrix(users, movies, 120, 300);
    const run = async (native: boolean) => {
      setNativeKernels(native);
      try {
        const tables = {
          userFactors: tf.variable(tf.randomNormal([120, 8], 0, 0.1, "float32", 1)),
          movieFactors: tf.variable(tf.randomNormal([300, 8], 0, 0.1, "float32", 2)),
          movieBias: tf.variable(tf.zeros([300, 1])),
        };
        const optimizer = adam({ learningRate: 0.01 });
        const h = await fitRanking(tables, positives, {
          loss,
          optimizer,
          epochs: 3,
          batchUsers: 32,
          negatives,
          l2: 0.01,
          verbose: 0,
        });
        const bits = Object.values(tables).map((v) =>
          Array.from(new Uint32Array((v.dataSync() as Float32Array).buffer))
        );
        tf.dispose(Object.values(tables));
        optimizer.dispose();
        return { loss: h.history.loss, bits };
      } finally {
        setNativeKernels(true);
      }
    };
    const withNative = await run(true), withWasm = await run(false);
    assertEquals(withNative.loss, withWasm.loss);
    assertEquals(withNative.bits, withWasm.bits);
    assert(
      withNative.loss[2] < withNative.loss[0],
      `expected the loss to fall: ${withNative.loss}`,
    );
  });
}

Deno.test("NATIVE_KERNELS=off, a missing compiler and a failing one leave the WebAssembly kernels, with no file behind", async () => {
  const cache = new URL("../../.cache/native/", import.meta.url);
  const script = [
    'import { setupBackend } from "./lib/train/backend.ts";',
    'import { nativeKernelsStatus } from "./lib/train/kernels/_native.ts";',
    "const info = await setupBackend();",
    "console.log(JSON.stringify({ adam: info.adam, status: nativeKernelsStatus() }));",
  ].join("\n");
  const root = new URL("../../", import.meta.url).pathname;
  const pids: number[] = [];
  const runWith = async (env: Record<string, string>, warns = false) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--ext=ts", script],
      cwd: root,
      env: nativeChildEnvironment(env),
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    pids.push(child.pid);
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    assertEquals(stderr.includes("the native kernels did not build"), warns, stderr);
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    return JSON.parse(lines.at(-1)!) as { adam: string; status: string };
  };
  const off = await runWith({ NATIVE_KERNELS: "off" });
  assertEquals(off.adam, "wasm simd");
  assertIncludes(off.status, "NATIVE_KERNELS=off");
  if (Deno.build.os === "linux" && Deno.build.arch === "x86_64") {
    // Without the developer's switches, whatever this process was given.
    const plain = await runWith({});
    assertEquals(plain.adam.startsWith("native"), await canBuild(), plain.status);
    const missing = await runWith({ CC: "/nonexistent/cc" });
    assertEquals(missing.adam, "wasm simd");
    assertIncludes(missing.status, "the WebAssembly kernel runs");
    const failing = await runWith({ CC: "false" }, true); // a compiler that exits with 1
    assertEquals(failing.adam, "wasm simd");
    assertIncludes(failing.status, "false failed on native_kernels.c (exit 1)");
    // Only these children's: test workers beside this one may be building the library now.
    const left: string[] = [];
    for await (const entry of Deno.readDir(cache)) {
      if (pids.some((pid) => entry.name.includes(`.${pid}.`))) left.push(entry.name);
    }
    assertEquals(left, []);
  }
});

/**
 * Runs `run` on a fresh folder, removed after it: `run` gets the folder and `cache`, a cache
 * folder in it that {@linkcode buildLibrary} makes, with a lister of its files.
 */
function withCacheDir(
  run: (folder: URL, cache: URL, names: () => Promise<string[]>) => Promise<void>,
): Promise<void> {
  return withTempDir((path) => {
    const folder = new URL(`${path}/`, "file:///");
    const cache = new URL("cache/", folder);
    const names = async () =>
      (await Array.fromAsync(Deno.readDir(cache))).map((e) => e.name).sort();
    return run(folder, cache, names);
  });
}

/** A one-function C source in `folder`, and that function's binding. */
async function answerSource(folder: URL) {
  const source = new URL("answer.c", folder);
  await Deno.writeTextFile(source, "int answer(void) { return 42; }\n");
  return { source, symbols: { answer: { parameters: [], result: "i32" } } as const };
}

Deno.test({
  name:
    "buildLibrary() calls that race on an empty cache each get a whole library, and leave no temporary file",
  ignore: !(await canBuild()),
  fn: () =>
    withCacheDir(async (folder, cacheDir, names) => {
      // A small source, so that the builds finish close together: the race is in the naming
      // and renaming, whatever is compiled. Test workers share one process id; so do calls in one
      // worker, which race the same way.
      const { source, symbols } = await answerSource(folder);
      const paths = await Promise.all(Array.from({ length: 8 }, async () => {
        const path = await buildLibrary(source, { cacheDir });
        // Opened at once, while the others may still compile: a short file would not open.
        const lib = Deno.dlopen(path, symbols);
        try {
          assertEquals(lib.symbols.answer(), 42);
        } finally {
          lib.close();
        }
        return path;
      }));
      assertEquals(new Set(paths).size, 1);
      assertEquals(await names(), [paths[0].split("/").at(-1)]);
      assertEquals(await buildLibrary(source, { cacheDir }), paths[0]); // found, not rebuilt
    }),
});

/** The process id of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", ""],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await child.status;
  return child.pid;
}

/** A build's temporary name, as {@linkcode buildLibrary} makes it, for the process `pid`. */
const temporaryName = (pid: number, hash = "00112233aabbccdd") =>
  `kernels-${hash}.so.${pid}.${crypto.randomUUID()}.tmp`;

Deno.test("removeStaleTemporaries() removes a killed build's temporaries and nothing else", () =>
  withCacheDir(async (_folder, cacheDir, names) => {
    assertEquals(await removeStaleTemporaries(cacheDir), []); // no folder yet: nothing to do
    await Deno.mkdir(cacheDir);
    const ended = temporaryName(await deadPid());
    const ours = temporaryName(Deno.pid); // a worker of this process may be building it
    const running = temporaryName(1); // a build of a running process, begun just now
    // A running process's, two hours old (a laptop that slept through the build, say).
    const old = temporaryName(1, "ffeeddccbbaa9988");
    const others = ["kernels-00112233aabbccdd.so", "notes.tmp", `${ours}.bak`];
    for (const name of [ended, ours, running, old, ...others]) {
      await Deno.writeTextFile(new URL(name, cacheDir), "half");
    }
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await Deno.utime(new URL(old, cacheDir), twoHoursAgo, twoHoursAgo);
    // Where /proc tells whether a process runs, exactly the ended one's go; elsewhere the old.
    const linux = Deno.build.os === "linux";
    const removed = await removeStaleTemporaries(cacheDir);
    assertEquals(removed, linux ? [ended] : [old]);
    const kept = [ours, running, ...others, linux ? old : ended];
    assertEquals(await names(), kept.sort());
  }));

Deno.test({
  name: "buildLibrary() removes the temporaries of a build killed before, even when it finds the " +
    "library built",
  ignore: !(await canBuild()),
  fn: () =>
    withCacheDir(async (folder, cacheDir, names) => {
      const { source } = await answerSource(folder);
      const path = await buildLibrary(source, { cacheDir });
      const library = path.split("/").at(-1)!;
      // What a process killed while it compiled leaves: its finally never ran.
      const left = temporaryName(await deadPid(), library.slice(8, 24));
      await Deno.writeTextFile(new URL(left, cacheDir), "half");
      assertEquals(await buildLibrary(source, { cacheDir }), path);
      assertEquals(await names(), Deno.build.os === "linux" ? [library] : [library, left].sort());
    }),
});

Deno.test({
  name: "buildLibrary() tells a missing compiler from a failing one, and leaves no file of either",
  ignore: Deno.build.os === "windows", // the failing compiler is a shell script
  fn: () =>
    withCacheDir(async (folder, cacheDir, names) => {
      const source = new URL("../../lib/train/kernels/native_kernels.c", import.meta.url);
      await assertRejects(
        () => buildLibrary(source, { cacheDir, compiler: "/nonexistent/cc" }),
        NoCompilerError,
        "/nonexistent/cc not found",
      );
      // A compiler that writes half a library and then fails.
      const half = new URL("half_cc", folder);
      await Deno.writeTextFile(
        half,
        '#!/bin/sh\nwhile [ "$1" != -o ]; do shift; done\nprintf half > "$2"\nexit 3\n',
        { mode: 0o755 },
      );
      await assertRejects(
        () => buildLibrary(source, { cacheDir, compiler: half.pathname }),
        Error,
        "failed on native_kernels.c (exit 3)",
      );
      assertEquals(await names(), []);
    }),
});

Deno.test({
  name: "openLibrary() builds a damaged library again, and CC may carry arguments",
  ignore: !(await canBuild()),
  fn: () =>
    withCacheDir(async (folder, cacheDir, names) => {
      const { source, symbols } = await answerSource(folder);
      // As make reads CC: a command and its arguments.
      const compiler = `${Deno.env.get("CC") || "cc"} -DUNUSED=1`;
      const path = await buildLibrary(source, { cacheDir, compiler });
      await Deno.writeTextFile(path, "half"); // what an interrupted older build could leave
      const lib = await openLibrary(source, symbols, { cacheDir, compiler });
      try {
        assertEquals(lib.symbols.answer(), 42);
      } finally {
        lib.close();
      }
      assertEquals(await names(), [path.split("/").at(-1)]);
      assert((await Deno.stat(path)).size > 1000, "the library was built again");
    }),
});

Deno.test("heapPointers() takes a base pointer once per buffer and again after growth", () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 64 });
  const base = () => Deno.UnsafePointer.value(Deno.UnsafePointer.of(new Uint8Array(memory.buffer)));
  const at = (offset: number) => Deno.UnsafePointer.value(heapPointers(memory, [offset])[0]);
  assertEquals(at(0), base());
  assertEquals(at(4096), base() + 4096n);
  // Count the base pointers taken: one per buffer.
  const of = Deno.UnsafePointer.of;
  let taken = 0;
  Deno.UnsafePointer.of = ((value: Parameters<typeof of>[0]) => (taken++, of(value))) as typeof of;
  try {
    heapPointers(memory, [0, 8]);
    heapPointers(memory, [16]);
    assertEquals(taken, 0, "the buffer's base pointer was taken again");
    const other = new WebAssembly.Memory({ initial: 1 });
    heapPointers(other, [8]);
    heapPointers(memory, [8]);
    assertEquals(taken, 1, "a second memory's pointer should not replace the first one's");
    memory.grow(8); // a new buffer, which the engine may place elsewhere
    heapPointers(memory, [0]);
    heapPointers(memory, [8]);
    assertEquals(taken, 2, "a grown memory's new buffer needs one new base pointer");
  } finally {
    Deno.UnsafePointer.of = of;
  }
  for (let pages = 9; pages < 48; pages += 8) {
    assertEquals([at(0), at(65536 * pages)], [base(), base() + BigInt(65536 * pages)]);
    memory.grow(8);
  }
});
