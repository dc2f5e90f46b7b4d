// Native kernels for x86-64 CPUs: the fused Adam step of kernels.wat (`adam`) in 512-, 256- and
// 128-bit vectors, and (further down) its dense product (`gemm`) and the update of EASE's matrix
// inverse (`sweep`, spd_inverse.ts) in 512- and 256-bit vectors, tfjs' WebAssembly exponential
// (`exp_*`) and, last, its softplus on every core (`softplus`).
// WebAssembly SIMD stops at 128 bits; on a CPU with AVX-512 this pass, the largest part of a
// training step on a big embedding table, runs about 2.7 times as fast. The results are the same
// to the bit: every number goes through the same IEEE operations in the same order as in
// kernels.wat (no fused multiply-add, no reassociation: compile with -ffp-contract=off and without
// -ffast-math), and the sum of squares keeps the four running sums of the 128-bit version, each
// fed its elements in the same order. lib/train/kernels/_native.ts compiles and loads this file;
// test/train/native_kernels_test.ts compares every variant with the WebAssembly kernel.
//
// One step over n parameters, in place (see kernels.wat for the constants):
//   g' = g + c w;  m = b1 m + ob1 g';  v = b2 v + ob2 g'^2;  w = d w - alpha m / (s sqrt(v) + eps)
// Returns the sum of squares of w before the step.

#define _GNU_SOURCE  // sched_getaffinity and CPU_COUNT
#include <float.h>
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARGS                                                                                     \
  float *w, const float *g, float *m, float *v, int n, float b1, float ob1, float b2, float ob2, \
      float c, float d, float alpha, float s, float eps

// The 128-bit groups from element i on, then the last n % 4 elements one by one.
static float finish(ARGS, int i, __m128 acc) {
  const __m128 B1 = _mm_set1_ps(b1), OB1 = _mm_set1_ps(ob1), B2 = _mm_set1_ps(b2),
               OB2 = _mm_set1_ps(ob2), C = _mm_set1_ps(c), D = _mm_set1_ps(d),
               A = _mm_set1_ps(alpha), S = _mm_set1_ps(s), E = _mm_set1_ps(eps);
  for (; i + 4 <= n; i += 4) {
    const __m128 wv = _mm_loadu_ps(w + i);
    const __m128 gv = _mm_add_ps(_mm_loadu_ps(g + i), _mm_mul_ps(C, wv));
    const __m128 mv = _mm_add_ps(_mm_mul_ps(B1, _mm_loadu_ps(m + i)), _mm_mul_ps(OB1, gv));
    const __m128 vv =
        _mm_add_ps(_mm_mul_ps(B2, _mm_loadu_ps(v + i)), _mm_mul_ps(OB2, _mm_mul_ps(gv, gv)));
    acc = _mm_add_ps(acc, _mm_mul_ps(wv, wv));
    _mm_storeu_ps(m + i, mv);
    _mm_storeu_ps(v + i, vv);
    _mm_storeu_ps(w + i, _mm_sub_ps(_mm_mul_ps(D, wv),
                                    _mm_div_ps(_mm_mul_ps(A, mv),
                                               _mm_add_ps(_mm_mul_ps(S, _mm_sqrt_ps(vv)), E))));
  }
  float lanes[4];
  _mm_storeu_ps(lanes, acc);
  float sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < n; i++) {
    const float wi = w[i];
    const float gi = g[i] + c * wi;
    const float mi = b1 * m[i] + ob1 * gi;
    const float vi = b2 * v[i] + ob2 * (gi * gi);
    sum = sum + wi * wi;
    m[i] = mi;
    v[i] = vi;
    w[i] = d * wi - (alpha * mi) / (s * __builtin_sqrtf(vi) + eps);
  }
  return sum;
}

float adam_sse2(ARGS) {
  return finish(w, g, m, v, n, b1, ob1, b2, ob2, c, d, alpha, s, eps, 0, _mm_setzero_ps());
}

__attribute__((target("avx2"))) float adam_avx2(ARGS) {
  const __m256 B1 = _mm256_set1_ps(b1), OB1 = _mm256_set1_ps(ob1), B2 = _mm256_set1_ps(b2),
               OB2 = _mm256_set1_ps(ob2), C = _mm256_set1_ps(c), D = _mm256_set1_ps(d),
               A = _mm256_set1_ps(alpha), S = _mm256_set1_ps(s), E = _mm256_set1_ps(eps);
  __m128 acc = _mm_setzero_ps();
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 wv = _mm256_loadu_ps(w + i);
    const __m256 gv = _mm256_add_ps(_mm256_loadu_ps(g + i), _mm256_mul_ps(C, wv));
    const __m256 mv =
        _mm256_add_ps(_mm256_mul_ps(B1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(OB1, gv));
    const __m256 vv = _mm256_add_ps(_mm256_mul_ps(B2, _mm256_loadu_ps(v + i)),
                                    _mm256_mul_ps(OB2, _mm256_mul_ps(gv, gv)));
    const __m256 sq = _mm256_mul_ps(wv, wv);
    acc = _mm_add_ps(acc, _mm256_castps256_ps128(sq));
    acc = _mm_add_ps(acc, _mm256_extractf128_ps(sq, 1));
    _mm256_storeu_ps(m + i, mv);
    _mm256_storeu_ps(v + i, vv);
    _mm256_storeu_ps(
        w + i, _mm256_sub_ps(_mm256_mul_ps(D, wv),
                             _mm256_div_ps(_mm256_mul_ps(A, mv),
                                           _mm256_add_ps(_mm256_mul_ps(S, _mm256_sqrt_ps(vv)), E))));
  }
  return finish(w, g, m, v, n, b1, ob1, b2, ob2, c, d, alpha, s, eps, i, acc);
}

__attribute__((target("avx512f"))) float adam_avx512(ARGS) {
  const __m512 B1 = _mm512_set1_ps(b1), OB1 = _mm512_set1_ps(ob1), B2 = _mm512_set1_ps(b2),
               OB2 = _mm512_set1_ps(ob2), C = _mm512_set1_ps(c), D = _mm512_set1_ps(d),
               A = _mm512_set1_ps(alpha), S = _mm512_set1_ps(s), E = _mm512_set1_ps(eps);
  __m128 acc = _mm_setzero_ps();
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 wv = _mm512_loadu_ps(w + i);
    const __m512 gv = _mm512_add_ps(_mm512_loadu_ps(g + i), _mm512_mul_ps(C, wv));
    const __m512 mv =
        _mm512_add_ps(_mm512_mul_ps(B1, _mm512_loadu_ps(m + i)), _mm512_mul_ps(OB1, gv));
    const __m512 vv = _mm512_add_ps(_mm512_mul_ps(B2, _mm512_loadu_ps(v + i)),
                                    _mm512_mul_ps(OB2, _mm512_mul_ps(gv, gv)));
    const __m512 sq = _mm512_mul_ps(wv, wv);
    acc = _mm_add_ps(acc, _mm512_extractf32x4_ps(sq, 0));
    acc = _mm_add_ps(acc, _mm512_extractf32x4_ps(sq, 1));
    acc = _mm_add_ps(acc, _mm512_extractf32x4_ps(sq, 2));
    acc = _mm_add_ps(acc, _mm512_extractf32x4_ps(sq, 3));
    _mm512_storeu_ps(m + i, mv);
    _mm512_storeu_ps(v + i, vv);
    _mm512_storeu_ps(
        w + i, _mm512_sub_ps(_mm512_mul_ps(D, wv),
                             _mm512_div_ps(_mm512_mul_ps(A, mv),
                                           _mm512_add_ps(_mm512_mul_ps(S, _mm512_sqrt_ps(vv)), E))));
  }
  return finish(w, g, m, v, n, b1, ob1, b2, ob2, c, d, alpha, s, eps, i, acc);
}

// The widest vectors this CPU runs: 3 AVX-512F, 2 AVX2, 1 SSE2. Every adam_* and exp_* variant up
// to that level runs; gemm_avx2 and sweep_avx2 from level 2, gemm_avx512 and sweep_avx512 at 3
// (below 2 the WASM gemm and the JavaScript sweep run).
int cpu_level(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return 3;
  if (__builtin_cpu_supports("avx2")) return 2;
  return 1;
}

// C[m, n] += op(A) . B as kernels.wat's `gemm` computes it: op(A) is A [m, k] (ta = 0) or the
// transpose of A [k, m] (ta = 1), B is [k, n] row-major, C holds its initial rows. Every element
// starts from its initial value and adds A[i, kk] * B[kk, j] for kk = 0, 1, … in turn (a multiply,
// then an add), as in the WebAssembly kernel, whatever the vector width: so the same bits. Four
// rows at a time share each row of B; the last columns run in masked lanes.
#define GEMM_ARGS const float *a, const float *b, float *c, int m, int k, int n, int ta

// Rows i..i+rows-1 (rows 4 or 1, a constant once inlined) of the AVX-512 product. The loops over
// the rows are unrolled so that the accumulators live in registers (measured: 2.5 times slower
// when GCC -O2 leaves them as loops over an array).
__attribute__((target("avx512f"), always_inline)) static inline void gemm512_rows(
    const float *a0, const float *b, float *c0, int k, int n, long rs, long cs, int rows) {
  for (int j = 0; j < n; j += 16) {
    const __mmask16 mask = n - j >= 16 ? 0xffff : (__mmask16)((1u << (n - j)) - 1);
    __m512 x[4];
    #pragma GCC unroll 4
    for (int r = 0; r < rows; r++) x[r] = _mm512_maskz_loadu_ps(mask, c0 + r * (long)n + j);
    for (int kk = 0; kk < k; kk++) {
      const __m512 bv = _mm512_maskz_loadu_ps(mask, b + (long)kk * n + j);
      const float *ak = a0 + kk * cs;
      #pragma GCC unroll 4
      for (int r = 0; r < rows; r++) {
        x[r] = _mm512_add_ps(x[r], _mm512_mul_ps(_mm512_set1_ps(ak[r * rs]), bv));
      }
    }
    #pragma GCC unroll 4
    for (int r = 0; r < rows; r++) _mm512_mask_storeu_ps(c0 + r * (long)n + j, mask, x[r]);
  }
}

__attribute__((target("avx512f"))) void gemm_avx512(GEMM_ARGS) {
  const long rs = ta ? 1 : k, cs = ta ? m : 1;
  int i = 0;
  for (; i + 4 <= m; i += 4) gemm512_rows(a + i * rs, b, c + (long)i * n, k, n, rs, cs, 4);
  for (; i < m; i++) gemm512_rows(a + i * rs, b, c + (long)i * n, k, n, rs, cs, 1);
}

// The same in AVX2 vectors of 8, the last columns through masked loads and stores.
__attribute__((target("avx2"), always_inline)) static inline void gemm256_rows(
    const float *a0, const float *b, float *c0, int k, int n, long rs, long cs, int rows) {
  static const int lanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int j = 0; j < n; j += 8) {
    const int left = n - j < 8 ? n - j : 8;
    const __m256i mask = _mm256_loadu_si256((const __m256i *)(lanes + 8 - left));
    __m256 x[4];
    #pragma GCC unroll 4
    for (int r = 0; r < rows; r++) x[r] = _mm256_maskload_ps(c0 + r * (long)n + j, mask);
    for (int kk = 0; kk < k; kk++) {
      const __m256 bv = _mm256_maskload_ps(b + (long)kk * n + j, mask);
      const float *ak = a0 + kk * cs;
      #pragma GCC unroll 4
      for (int r = 0; r < rows; r++) {
        x[r] = _mm256_add_ps(x[r], _mm256_mul_ps(_mm256_set1_ps(ak[r * rs]), bv));
      }
    }
    #pragma GCC unroll 4
    for (int r = 0; r < rows; r++) _mm256_maskstore_ps(c0 + r * (long)n + j, mask, x[r]);
  }
}

__attribute__((target("avx2"))) void gemm_avx2(GEMM_ARGS) {
  const long rs = ta ? 1 : k, cs = ta ? m : 1;
  int i = 0;
  for (; i + 4 <= m; i += 4) gemm256_rows(a + i * rs, b, c + (long)i * n, k, n, rs, cs, 4);
  for (; i < m; i++) gemm256_rows(a + i * rs, b, c + (long)i * n, k, n, rs, cs, 1);
}

// One block's update of spd_inverse.ts's blocked sweep (its `sweepUpdate` says what it computes):
// a[i, j] -= v[l, i] * w[l, j] for the rows i outside [k0, k0 + b), the columns j >= i and
// l = 0, 1, … in turn, rows with v[l, i] == 0 skipping l (so -0 stays -0); a multiply, then a
// subtraction, as in JavaScript: the same bits. The columns go in tiles of 512, so that the tile of
// w's b rows (256 kB) stays in cache while every row passes; each vector of a row stays in a
// register while those b rows are subtracted from it. b is at most 64 (the caller's block).
// The tiles are spread over the cores this process may run on (one thread per core, at most 8, or
// as many as NATIVE_KERNELS_THREADS says): each tile writes its own columns, and every element sees
// the same operations in the same order, whatever the thread.
#define SWEEP_ARGS double *a, const double *v, const double *w, int n, int k0, int b
#define SWEEP_TILE 512
#define SWEEP_MAX_THREADS 8

// The vector part of one row's tile, columns j … end - 1 in whole vectors; returns where it stopped.
typedef int (*sweep_vectors)(double *row, const double *w, const long *ls, const double *cs, int t,
                             int j, int end);

typedef struct {
  double *a;
  const double *v, *w;
  int n, k0, b, tiles;
  sweep_vectors vectors;
  atomic_int next;  // tiles handed out so far
} sweep_job;

// Columns j0 … j0 + SWEEP_TILE - 1 of every row the update touches.
static void sweep_tile(sweep_job *job, int j0) {
  double *a = job->a;
  const double *v = job->v, *w = job->w;
  const int n = job->n, k0 = job->k0, b = job->b;
  long ls[64];    // offsets of the rows of w with v[l, i] != 0
  double cs[64];  // and those v[l, i]
  const int end = n - j0 < SWEEP_TILE ? n : j0 + SWEEP_TILE;
  for (int i = 0; i < end; i++) {
    if (i == k0) {
      i += b - 1;
      continue;
    }
    int t = 0;
    for (int l = 0; l < b; l++) {
      const double c = v[(long)l * n + i];
      if (c != 0) ls[t] = (long)l * n, cs[t++] = c;
    }
    if (t == 0) continue;
    double *row = a + (long)i * n;
    for (int j = job->vectors(row, w, ls, cs, t, i > j0 ? i : j0, end); j < end; j++) {
      double x = row[j];
      for (int s = 0; s < t; s++) x -= cs[s] * w[ls[s] + j];
      row[j] = x;
    }
  }
}

// Takes tiles until none is left, the last (the most rows of the triangle) first.
static void *sweep_worker(void *p) {
  sweep_job *job = p;
  for (int k; (k = atomic_fetch_add(&job->next, 1)) < job->tiles;) {
    sweep_tile(job, (job->tiles - 1 - k) * SWEEP_TILE);
  }
  return NULL;
}

// The cores this process may use, as the loader passes them (navigator.hardwareConcurrency: the
// affinity and a container's CPU quota); until then its affinity (taskset, a container's cpuset),
// or every online core if the affinity cannot be read.
static atomic_int cores_given;
void set_cores(int n) { atomic_store(&cores_given, n); }
static long usable_cores(void) {
  const int given = atomic_load(&cores_given);
  if (given >= 1) return given;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return sysconf(_SC_NPROCESSORS_ONLN);
}

// The threads a job of `parts` parts may run on: one per usable core, at most SWEEP_MAX_THREADS and
// one per part; NATIVE_KERNELS_THREADS=k caps them (read at each call: a program may set it).
static int threads_for(int parts) {
  const char *asked = getenv("NATIVE_KERNELS_THREADS");
  const long wanted = asked != NULL ? atol(asked) : 0;
  long cores = usable_cores();
  if (wanted >= 1 && (cores < 1 || wanted < cores)) cores = wanted;
  const int threads = cores < 1 ? 1 : cores > SWEEP_MAX_THREADS ? SWEEP_MAX_THREADS : (int)cores;
  return threads > parts ? (parts < 1 ? 1 : parts) : threads;
}

// The threads a sweep update of order n runs on: one per tile of columns, within threads_for().
int sweep_threads(int n) { return threads_for((n + SWEEP_TILE - 1) / SWEEP_TILE); }

// Runs work(job) on `threads` threads, this one included (alone when no helper could start).
static void run_threads(int threads, void *(*work)(void *), void *job) {
  pthread_t helpers[SWEEP_MAX_THREADS];
  int started = 0;
  while (started < threads - 1 && pthread_create(&helpers[started], NULL, work, job) == 0) {
    started++;
  }
  work(job);
  for (int h = 0; h < started; h++) pthread_join(helpers[h], NULL);
}

static void sweep_tiles(SWEEP_ARGS, sweep_vectors vectors) {
  sweep_job job = {a, v, w, n, k0, b, (n + SWEEP_TILE - 1) / SWEEP_TILE, vectors, 0};
  run_threads(sweep_threads(n), sweep_worker, &job);
}

__attribute__((target("avx512f"))) static int sweep_vectors512(
    double *row, const double *w, const long *ls, const double *cs, int t, int j, int end) {
  for (; j + 8 <= end; j += 8) {
    __m512d x = _mm512_loadu_pd(row + j);
    for (int s = 0; s < t; s++) {
      x = _mm512_sub_pd(x, _mm512_mul_pd(_mm512_set1_pd(cs[s]), _mm512_loadu_pd(w + ls[s] + j)));
    }
    _mm512_storeu_pd(row + j, x);
  }
  return j;
}

// The same in AVX2 vectors of 4.
__attribute__((target("avx2"))) static int sweep_vectors256(
    double *row, const double *w, const long *ls, const double *cs, int t, int j, int end) {
  for (; j + 4 <= end; j += 4) {
    __m256d x = _mm256_loadu_pd(row + j);
    for (int s = 0; s < t; s++) {
      x = _mm256_sub_pd(x, _mm256_mul_pd(_mm256_set1_pd(cs[s]), _mm256_loadu_pd(w + ls[s] + j)));
    }
    _mm256_storeu_pd(row + j, x);
  }
  return j;
}

void sweep_avx512(SWEEP_ARGS) { sweep_tiles(a, v, w, n, k0, b, sweep_vectors512); }

void sweep_avx2(SWEEP_ARGS) { sweep_tiles(a, v, w, n, k0, b, sweep_vectors256); }

// tfjs' WebAssembly Exp (kernels/Exp.cc: expf element by element), with its bits on every float32
// input by construction rather than by a libm: the WebAssembly build's expf is musl's, which
// computes e^x = 2^(k/32) · 2^(r/32) in double, with x · 32/ln 2 = k + r (k the nearest integer,
// found by adding and subtracting 1.5 · 2^52), 2^(k/32) from a table of 32 doubles with the
// exponent's integer part added to their bits, and 2^(r/32) from a cubic; the double is then
// rounded to float once. Each step below is one IEEE operation on doubles, in that order, with no
// fused multiply-add (-ffp-contract=off), so every CPU gives the same bits as the WebAssembly
// build (glibc's expf uses the same algorithm but fuses its multiply-adds on a CPU that has them,
// which changed 2 of the 2³² results in a check of every input; bench/unary_bench.ts exp --all
// compares every variant here with the WebAssembly kernel on every input: none differs).
// |x| ≥ 88 (and NaN, ±∞) takes the reference's early returns; the vector variants send such lanes
// to the scalar code. EXP_TABLE[i] holds the bits of 2^(i/32) rounded to the nearest double, minus
// i << 47 (so that adding k << 47 to entry k mod 32 gives 2^(k/32)).
static const uint64_t EXP_TABLE[32] = {
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
};
#define EXP_SCALE (0x1.71547652b82fep+0 * 32)  // 32 / ln 2
#define EXP_SHIFT 0x1.8p+52                     // adding it rounds a double to an integer
#define EXP_C3 (0x1.c6af84b912394p-5 / 32768)   // the cubic in r, r³ term
#define EXP_C2 (0x1.ebfce50fac4f3p-3 / 1024)    // r² term
#define EXP_C1 (0x1.62e42ff0c52d6p-1 / 32)      // r term
#define EXP_BIG 0x42b                           // top 12 bits of 88.0f, sign cleared

// One value, as the reference computes it.
static float exp_one(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  const uint32_t top = (u >> 20) & 0x7ff;
  if (top >= EXP_BIG) {
    if (u == 0xff800000u) return 0.0f;      // e^-∞
    if (top >= 0x7f8) return x + x;        // +∞, and NaN quieted as the reference does
    if (x > 0x1.62e42ep6f) return INFINITY;  // above ln(2^128)
    if (x < -0x1.9fe368p6f) return 0.0f;     // below ln(2^-150)
  }
  const double z = EXP_SCALE * (double)x;
  const double shifted = z + EXP_SHIFT;
  uint64_t k;
  memcpy(&k, &shifted, sizeof k);  // k in the low bits
  const double r = z - (shifted - EXP_SHIFT);
  const uint64_t bits = EXP_TABLE[k % 32] + (k << 47);
  double s;
  memcpy(&s, &bits, sizeof s);
  const double p = EXP_C3 * r + EXP_C2;
  const double r2 = r * r;
  const double q = EXP_C1 * r + 1.0;
  return (float)((p * r2 + q) * s);
}

// out[i] = e^x[i] for i < n, one value at a time (CPUs without AVX2).
void exp_sse2(const float *x, float *out, int n) {
  for (int i = 0; i < n; i++) out[i] = exp_one(x[i]);
}

// Eight values in 512-bit vectors of doubles; the table's 32 entries sit in four registers.
__attribute__((target("avx512f"))) static inline __m256 exp8_avx512(__m256 x, const __m512i *tab) {
  const __m512d z = _mm512_mul_pd(_mm512_set1_pd(EXP_SCALE), _mm512_cvtps_pd(x));
  const __m512d shifted = _mm512_add_pd(z, _mm512_set1_pd(EXP_SHIFT));
  const __m512i k = _mm512_castpd_si512(shifted);
  const __m512d r = _mm512_sub_pd(z, _mm512_sub_pd(shifted, _mm512_set1_pd(EXP_SHIFT)));
  const __m512i j = _mm512_and_si512(k, _mm512_set1_epi64(31));
  const __m512i first = _mm512_permutex2var_epi64(tab[0], j, tab[1]);   // entries 0-15
  const __m512i second = _mm512_permutex2var_epi64(tab[2], j, tab[3]);  // entries 16-31
  const __mmask8 upper = _mm512_test_epi64_mask(j, _mm512_set1_epi64(16));
  const __m512i t = _mm512_mask_blend_epi64(upper, first, second);
  const __m512d s = _mm512_castsi512_pd(_mm512_add_epi64(t, _mm512_slli_epi64(k, 47)));
  const __m512d p =
      _mm512_add_pd(_mm512_mul_pd(_mm512_set1_pd(EXP_C3), r), _mm512_set1_pd(EXP_C2));
  const __m512d r2 = _mm512_mul_pd(r, r);
  const __m512d q = _mm512_add_pd(_mm512_mul_pd(_mm512_set1_pd(EXP_C1), r), _mm512_set1_pd(1.0));
  return _mm512_cvtpd_ps(_mm512_mul_pd(_mm512_add_pd(_mm512_mul_pd(p, r2), q), s));
}

// Sixteen values a step, the last ones in masked lanes; lanes with |x| ≥ 88 or NaN are redone by
// exp_one.
__attribute__((target("avx512f"))) void exp_avx512(const float *x, float *out, int n) {
  __m512i tab[4];
  for (int h = 0; h < 4; h++) tab[h] = _mm512_loadu_si512(EXP_TABLE + 8 * h);
  for (int i = 0; i < n; i += 16) {
    const __mmask16 live = n - i >= 16 ? 0xffff : (__mmask16)((1u << (n - i)) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(live, x + i);
    const __m512i top =
        _mm512_and_si512(_mm512_srli_epi32(_mm512_castps_si512(v), 20), _mm512_set1_epi32(0x7ff));
    __mmask16 big = _mm512_mask_cmpge_epu32_mask(live, top, _mm512_set1_epi32(EXP_BIG));
    const __m256d halves[2] = {_mm512_castpd512_pd256(_mm512_castps_pd(v)),
                               _mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)};
    const __m256 lo = exp8_avx512(_mm256_castpd_ps(halves[0]), tab);
    const __m256 hi = exp8_avx512(_mm256_castpd_ps(halves[1]), tab);
    const __m512d y =
        _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(lo)), _mm256_castps_pd(hi), 1);
    _mm512_mask_storeu_ps(out + i, live, _mm512_castpd_ps(y));
    for (; big; big &= big - 1) out[i + __builtin_ctz(big)] = exp_one(x[i + __builtin_ctz(big)]);
  }
}

// Four values in 256-bit vectors of doubles, the table read by a gather.
__attribute__((target("avx2"))) static inline __m128 exp4_avx2(__m128 x) {
  const __m256d z = _mm256_mul_pd(_mm256_set1_pd(EXP_SCALE), _mm256_cvtps_pd(x));
  const __m256d shifted = _mm256_add_pd(z, _mm256_set1_pd(EXP_SHIFT));
  const __m256i k = _mm256_castpd_si256(shifted);
  const __m256d r = _mm256_sub_pd(z, _mm256_sub_pd(shifted, _mm256_set1_pd(EXP_SHIFT)));
  const __m256i j = _mm256_and_si256(k, _mm256_set1_epi64x(31));
  const __m256i t = _mm256_i64gather_epi64((const long long *)EXP_TABLE, j, 8);
  const __m256d s = _mm256_castsi256_pd(_mm256_add_epi64(t, _mm256_slli_epi64(k, 47)));
  const __m256d p =
      _mm256_add_pd(_mm256_mul_pd(_mm256_set1_pd(EXP_C3), r), _mm256_set1_pd(EXP_C2));
  const __m256d r2 = _mm256_mul_pd(r, r);
  const __m256d q = _mm256_add_pd(_mm256_mul_pd(_mm256_set1_pd(EXP_C1), r), _mm256_set1_pd(1.0));
  return _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_add_pd(_mm256_mul_pd(p, r2), q), s));
}

// Eight values a step, the last n % 8 one by one; lanes with |x| ≥ 88 or NaN are redone by
// exp_one.
__attribute__((target("avx2"))) void exp_avx2(const float *x, float *out, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256i top =
        _mm256_and_si256(_mm256_srli_epi32(_mm256_castps_si256(v), 20), _mm256_set1_epi32(0x7ff));
    const __m256i over = _mm256_cmpgt_epi32(top, _mm256_set1_epi32(EXP_BIG - 1));
    int big = _mm256_movemask_ps(_mm256_castsi256_ps(over));
    _mm_storeu_ps(out + i, exp4_avx2(_mm256_castps256_ps128(v)));
    _mm_storeu_ps(out + i + 4, exp4_avx2(_mm256_extractf128_ps(v, 1)));
    for (; big; big &= big - 1) out[i + __builtin_ctz(big)] = exp_one(x[i + __builtin_ctz(big)]);
  }
  for (; i < n; i++) out[i] = exp_one(x[i]);
}

// tfjs' WebAssembly Softplus (tfjs-backend-wasm, kernels/Softplus.cc), element by element: below
// the threshold t = logf(FLT_EPSILON) + 2 (about -13.94) e^x by expf, above -t x itself, and in
// between log(1 + expf(x)), the logarithm taken in double and rounded to float. The exponentials
// are the exp_* functions above (the WebAssembly build's expf to the bit on every input, in the
// widest vectors the CPU runs), in a pass of their own over each block; the logarithm is the
// system's log, which in glibc (2.28 on) uses the algorithm of the WebAssembly build's musl.
// Compared on every float32 input (bench/unary_bench.ts softplus --all), glibc 2.36 gave the
// WebAssembly bits on all of them; another libm may not, so softplus.ts checks a probe before
// it runs this kernel. (With glibc's expf instead of exp_*, one input differed, -63.09946 in the
// e^x branch: glibc fuses multiply-adds on a CPU that has them.) The blocks of SOFTPLUS_BLOCK
// values are spread over the cores.
#define SOFTPLUS_BLOCK 16384

typedef struct {
  const float *x;
  float *out;
  int n, blocks;
  void (*exp)(const float *, float *, int);  // the widest exp_* variant
  atomic_int next;                            // blocks handed out so far
} softplus_job;

// One block.
static void softplus_block(const softplus_job *job, const float *x, float *out, int n) {
  const float t = logf(FLT_EPSILON) + 2.0;
  job->exp(x, out, n);
  for (int i = 0; i < n; i++) {
    const float f = x[i];
    if (!(f < t)) out[i] = f > -t ? f : (float)log(1.0 + out[i]);
  }
}

static void *softplus_worker(void *p) {
  softplus_job *job = p;
  for (int k; (k = atomic_fetch_add(&job->next, 1)) < job->blocks;) {
    const int from = k * SOFTPLUS_BLOCK, left = job->n - from;
    const int size = left < SOFTPLUS_BLOCK ? left : SOFTPLUS_BLOCK;
    softplus_block(job, job->x + from, job->out + from, size);
  }
  return NULL;
}

// out[i] = softplus(x[i]) for i < n (two arrays that do not overlap).
void softplus(const float *x, float *out, int n) {
  const int level = cpu_level();
  softplus_job job = {x, out, n, (n + SOFTPLUS_BLOCK - 1) / SOFTPLUS_BLOCK,
                      level >= 3 ? exp_avx512 : level == 2 ? exp_avx2 : exp_sse2, 0};
  run_threads(threads_for(job.blocks), softplus_worker, &job);
}
