;; WebAssembly SIMD kernels for training embedding models with tfjs.
;;
;; The module imports the linear memory of the tfjs WASM backend, so every pointer below is a
;; tensor's `memoryOffset` on that heap (or a block the JS side allocated there with `_malloc`):
;; the kernels read and write tensors in place, without copies. All arrays are float32 or int32,
;; row-major. A pointer of 0 means "absent" (no allocation ever lives at address 0).
;;
;; Compile with `deno task build:wasm` (wabt), which writes `_kernels_wasm.ts`; the test
;; `test/train/kernels_test.ts` recompiles this file and checks that the bytes match.

(module
  (import "env" "memory" (memory 0))

  ;; dst[0..d) += src[0..d)
  (func $add_row (param $dst i32) (param $src i32) (param $d i32)
    (local $end i32) (local $end4 i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $d) (i32.const 2))))
    (local.set $end4
      (i32.add (local.get $dst) (i32.shl (i32.and (local.get $d) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $dst) (local.get $end4)))
        (v128.store (local.get $dst)
          (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $next4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (f32.store (local.get $dst)
          (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $next))))

  ;; dst[0..d) += a * src[0..d)
  (func $axpy_row (param $dst i32) (param $src i32) (param $a f32) (param $d i32)
    (local $end i32) (local $end4 i32) (local $av v128)
    (local.set $av (f32x4.splat (local.get $a)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $d) (i32.const 2))))
    (local.set $end4
      (i32.add (local.get $dst) (i32.shl (i32.and (local.get $d) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $dst) (local.get $end4)))
        (v128.store (local.get $dst)
          (f32x4.add (v128.load (local.get $dst))
            (f32x4.mul (local.get $av) (v128.load (local.get $src)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $next4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
        (f32.store (local.get $dst)
          (f32.add (f32.load (local.get $dst)) (f32.mul (local.get $a) (f32.load (local.get $src)))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $next))))

  ;; sum of a[k] * b[k] for k in 0..d
  (func $dot_row (param $a i32) (param $b i32) (param $d i32) (result f32)
    (local $end i32) (local $end4 i32) (local $acc v128) (local $sum f32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $d) (i32.const 2))))
    (local.set $end4
      (i32.add (local.get $a) (i32.shl (i32.and (local.get $d) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $a) (local.get $end4)))
        (local.set $acc
          (f32x4.add (local.get $acc)
            (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br $next4)))
    (local.set $sum
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $sum
          (f32.add (local.get $sum) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $next)))
    (local.get $sum))

  ;; Index of the first id in ids[0..n) outside [0, rows), or -1 when all are in range.
  (func $first_bad_id (param $ids i32) (param $n i32) (param $rows i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.ge_u (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2))))
              (local.get $rows))
          (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; out[s] = sum of data[i] over the i with ids[i] == s, for rows of d floats and s in
  ;; [0, segs); ids outside that range are dropped (as TensorFlow does).
  (func (export "segment_sum")
    (param $data i32) (param $ids i32) (param $n i32) (param $d i32) (param $out i32)
    (param $segs i32)
    (local $i i32) (local $s i32) (local $row i32)
    (local.set $row (i32.shl (local.get $d) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $segs) (local.get $row)))
    (if (i32.eq (local.get $d) (i32.const 1))
      (then
        ;; Single values (the gradient of a gather from a flat score matrix, BPR's): the same
        ;; additions in the same order, without a call per value.
        (block $done1
          (loop $next1
            (br_if $done1 (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $s
              (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2)))))
            (if (i32.lt_u (local.get $s) (local.get $segs))
              (then
                (local.set $row (i32.add (local.get $out) (i32.shl (local.get $s) (i32.const 2))))
                (f32.store (local.get $row)
                  (f32.add (f32.load (local.get $row))
                    (f32.load
                      (i32.add (local.get $data) (i32.shl (local.get $i) (i32.const 2))))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next1)))
        (return)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $s (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.lt_u (local.get $s) (local.get $segs))
          (then
            (call $add_row
              (i32.add (local.get $out) (i32.mul (local.get $s) (local.get $row)))
              (i32.add (local.get $data) (i32.mul (local.get $i) (local.get $row)))
              (local.get $d))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; out[i] = table[ids[i]] for rows of d floats. Returns -1, or the position of the first id
  ;; outside [0, rows) (then nothing is written).
  (func (export "gather_rows")
    (param $table i32) (param $ids i32) (param $n i32) (param $d i32) (param $out i32)
    (param $rows i32) (result i32)
    (local $i i32) (local $bad i32) (local $row i32)
    (local.set $bad (call $first_bad_id (local.get $ids) (local.get $n) (local.get $rows)))
    (if (i32.ge_s (local.get $bad) (i32.const 0)) (then (return (local.get $bad))))
    (local.set $row (i32.shl (local.get $d) (i32.const 2)))
    (if (i32.eq (local.get $d) (i32.const 1))
      (then
        ;; Single values (BPR's scores from a flat matrix): a load and a store each, the bits
        ;; as they are, instead of a memory.copy of 4 bytes.
        (block $done1
          (loop $next1
            (br_if $done1 (i32.ge_u (local.get $i) (local.get $n)))
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
              (i32.load
                (i32.add (local.get $table)
                  (i32.shl
                    (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2))))
                    (i32.const 2)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next1)))
        (return (i32.const -1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (memory.copy
          (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $row)))
          (i32.add (local.get $table)
            (i32.mul (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2))))
              (local.get $row)))
          (local.get $row))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; Forward pass of the dot-bias model before its output range:
  ;; z[i] = dot(U[users[i]], M[movies[i]]) + ub[users[i]] + mb[movies[i]] + offset,
  ;; with f factors; ub and mb may be 0 (absent). Returns -1, or the position i of the first
  ;; user id outside [0, nu), or n + i for the first movie id outside [0, nm).
  ;; When ctx is not 0 it receives what the backward pass needs, so that the op saves one
  ;; tensor instead of five: [users (n i32) | movies (n i32) | y (n, written by the caller
  ;; after the output range) | U rows (n * f) | M rows (n * f)].
  (func (export "dot_bias_forward")
    (param $U i32) (param $M i32) (param $ub i32) (param $mb i32) (param $users i32)
    (param $movies i32) (param $n i32) (param $f i32) (param $z i32) (param $offset f32)
    (param $nu i32) (param $nm i32) (param $ctx i32) (result i32)
    (local $i i32) (local $u i32) (local $m i32) (local $row i32) (local $acc f32)
    (local $urows i32) (local $mrows i32) (local $uptr i32) (local $mptr i32)
    (local.set $i (call $first_bad_id (local.get $users) (local.get $n) (local.get $nu)))
    (if (i32.ge_s (local.get $i) (i32.const 0)) (then (return (local.get $i))))
    (local.set $i (call $first_bad_id (local.get $movies) (local.get $n) (local.get $nm)))
    (if (i32.ge_s (local.get $i) (i32.const 0))
      (then (return (i32.add (local.get $n) (local.get $i)))))
    (local.set $i (i32.const 0))
    (local.set $row (i32.shl (local.get $f) (i32.const 2)))
    (if (local.get $ctx)
      (then
        (memory.copy (local.get $ctx) (local.get $users) (i32.shl (local.get $n) (i32.const 2)))
        (memory.copy (i32.add (local.get $ctx) (i32.shl (local.get $n) (i32.const 2)))
          (local.get $movies) (i32.shl (local.get $n) (i32.const 2)))
        (local.set $urows (i32.add (local.get $ctx) (i32.mul (local.get $n) (i32.const 12))))
        (local.set $mrows
          (i32.add (local.get $urows) (i32.mul (local.get $n) (local.get $row))))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $u (i32.load (i32.add (local.get $users) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $m (i32.load (i32.add (local.get $movies) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $uptr (i32.add (local.get $U) (i32.mul (local.get $u) (local.get $row))))
        (local.set $mptr (i32.add (local.get $M) (i32.mul (local.get $m) (local.get $row))))
        (local.set $acc
          (f32.add (local.get $offset)
            (call $dot_row (local.get $uptr) (local.get $mptr) (local.get $f))))
        (if (local.get $ub)
          (then
            (local.set $acc (f32.add (local.get $acc)
              (f32.load (i32.add (local.get $ub) (i32.shl (local.get $u) (i32.const 2))))))))
        (if (local.get $mb)
          (then
            (local.set $acc (f32.add (local.get $acc)
              (f32.load (i32.add (local.get $mb) (i32.shl (local.get $m) (i32.const 2))))))))
        (f32.store (i32.add (local.get $z) (i32.shl (local.get $i) (i32.const 2))) (local.get $acc))
        (if (local.get $ctx)
          (then
            (memory.copy (i32.add (local.get $urows) (i32.mul (local.get $i) (local.get $row)))
              (local.get $uptr) (local.get $row))
            (memory.copy (i32.add (local.get $mrows) (i32.mul (local.get $i) (local.get $row)))
              (local.get $mptr) (local.get $row))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const -1))

  ;; Backward pass of the dot-bias model, from the context the forward pass saved (ids, y and
  ;; the factor rows): with g[i] = dy[i] * dy/dz (for an output range [lo, lo + span],
  ;; (y - lo) * (lo + span - y) / span; else 1), writes the dense gradients
  ;; dU[users[i]] += g[i] * Mrow[i], dM[movies[i]] += g[i] * Urow[i], dub and dmb (either may
  ;; be 0 = absent) into zeroed tables.
  (func (export "dot_bias_backward")
    (param $dy i32) (param $ctx i32) (param $n i32) (param $f i32) (param $dU i32)
    (param $dM i32) (param $dub i32) (param $dmb i32) (param $nu i32) (param $nm i32)
    (param $ranged i32) (param $lo f32) (param $span f32)
    (local $i i32) (local $u i32) (local $m i32) (local $row i32) (local $g f32) (local $yi f32)
    (local $p i32) (local $movies i32) (local $y i32) (local $urows i32) (local $mrows i32)
    (local.set $row (i32.shl (local.get $f) (i32.const 2)))
    (local.set $movies (i32.add (local.get $ctx) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $y (i32.add (local.get $movies) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $urows (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $mrows (i32.add (local.get $urows) (i32.mul (local.get $n) (local.get $row))))
    (memory.fill (local.get $dU) (i32.const 0) (i32.mul (local.get $nu) (local.get $row)))
    (memory.fill (local.get $dM) (i32.const 0) (i32.mul (local.get $nm) (local.get $row)))
    (if (local.get $dub)
      (then (memory.fill (local.get $dub) (i32.const 0) (i32.shl (local.get $nu) (i32.const 2)))))
    (if (local.get $dmb)
      (then (memory.fill (local.get $dmb) (i32.const 0) (i32.shl (local.get $nm) (i32.const 2)))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $g (f32.load (i32.add (local.get $dy) (i32.shl (local.get $i) (i32.const 2)))))
        (if (local.get $ranged)
          (then
            (local.set $yi (f32.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $g
              (f32.div
                (f32.mul (local.get $g)
                  (f32.mul (f32.sub (local.get $yi) (local.get $lo))
                    (f32.sub (f32.add (local.get $lo) (local.get $span)) (local.get $yi))))
                (local.get $span)))))
        (local.set $u (i32.load (i32.add (local.get $ctx) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $m (i32.load (i32.add (local.get $movies) (i32.shl (local.get $i) (i32.const 2)))))
        (call $axpy_row
          (i32.add (local.get $dU) (i32.mul (local.get $u) (local.get $row)))
          (i32.add (local.get $mrows) (i32.mul (local.get $i) (local.get $row)))
          (local.get $g) (local.get $f))
        (call $axpy_row
          (i32.add (local.get $dM) (i32.mul (local.get $m) (local.get $row)))
          (i32.add (local.get $urows) (i32.mul (local.get $i) (local.get $row)))
          (local.get $g) (local.get $f))
        (if (local.get $dub)
          (then
            (local.set $p (i32.add (local.get $dub) (i32.shl (local.get $u) (i32.const 2))))
            (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (local.get $g)))))
        (if (local.get $dmb)
          (then
            (local.set $p (i32.add (local.get $dmb) (i32.shl (local.get $m) (i32.const 2))))
            (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (local.get $g)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

;; ---------------------------------------------------------------------------------------------
  ;; Dense algebra for the fully connected layers. tfjs' WASM matmul sends every transposed
  ;; product (both products of a dense layer's gradient) to a scalar triple loop, and caches
  ;; packed weights by tensor id (stale once weights are updated in place). These kernels pack
  ;; nothing: C = op(A) . B with B row-major [k, n]; the caller transposes B when needed.

  ;; Rows i..i+3 of C += op(A) . B. $a points at A[i, 0]; A[i + r, kk] is at
  ;; $a + r * $rs4 + kk * $cs4 (bytes). $c points at C[i, 0]. C and B rows are n floats.
  (func $gemm_rows4 (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $n i32)
    (param $rs4 i32) (param $cs4 i32)
    (local $j i32) (local $kk i32) (local $pa i32) (local $pb i32) (local $pc i32)
    (local $n4 i32) (local $ra2 i32) (local $ra3 i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (local $bv v128) (local $bw v128) (local $sv v128)
    (local $t0 f32) (local $t1 f32) (local $t2 f32) (local $t3 f32) (local $bs f32)
    (local.set $n4 (i32.shl (local.get $n) (i32.const 2)))
    (local.set $ra2 (i32.shl (local.get $rs4) (i32.const 1)))
    (local.set $ra3 (i32.add (local.get $ra2) (local.get $rs4)))
    ;; 8 columns at a time, 8 accumulators in registers
    (block $done8
      (loop $next8
        (br_if $done8 (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
        (local.set $pc (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $x0 (v128.load (local.get $pc)))
        (local.set $y0 (v128.load offset=16 (local.get $pc)))
        (local.set $x1 (v128.load (i32.add (local.get $pc) (local.get $n4))))
        (local.set $y1 (v128.load offset=16 (i32.add (local.get $pc) (local.get $n4))))
        (local.set $x2 (v128.load (i32.add (local.get $pc) (i32.shl (local.get $n4) (i32.const 1)))))
        (local.set $y2
          (v128.load offset=16 (i32.add (local.get $pc) (i32.shl (local.get $n4) (i32.const 1)))))
        (local.set $x3
          (v128.load (i32.add (local.get $pc) (i32.mul (local.get $n4) (i32.const 3)))))
        (local.set $y3
          (v128.load offset=16 (i32.add (local.get $pc) (i32.mul (local.get $n4) (i32.const 3)))))
        (local.set $pa (local.get $a))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $kk (local.get $k))
        (block $kdone
          (loop $knext
            (br_if $kdone (i32.eqz (local.get $kk)))
            (local.set $bv (v128.load (local.get $pb)))
            (local.set $bw (v128.load offset=16 (local.get $pb)))
            (local.set $sv (f32x4.splat (f32.load (local.get $pa))))
            (local.set $x0 (f32x4.add (local.get $x0) (f32x4.mul (local.get $sv) (local.get $bv))))
            (local.set $y0 (f32x4.add (local.get $y0) (f32x4.mul (local.get $sv) (local.get $bw))))
            (local.set $sv (f32x4.splat (f32.load (i32.add (local.get $pa) (local.get $rs4)))))
            (local.set $x1 (f32x4.add (local.get $x1) (f32x4.mul (local.get $sv) (local.get $bv))))
            (local.set $y1 (f32x4.add (local.get $y1) (f32x4.mul (local.get $sv) (local.get $bw))))
            (local.set $sv (f32x4.splat (f32.load (i32.add (local.get $pa) (local.get $ra2)))))
            (local.set $x2 (f32x4.add (local.get $x2) (f32x4.mul (local.get $sv) (local.get $bv))))
            (local.set $y2 (f32x4.add (local.get $y2) (f32x4.mul (local.get $sv) (local.get $bw))))
            (local.set $sv (f32x4.splat (f32.load (i32.add (local.get $pa) (local.get $ra3)))))
            (local.set $x3 (f32x4.add (local.get $x3) (f32x4.mul (local.get $sv) (local.get $bv))))
            (local.set $y3 (f32x4.add (local.get $y3) (f32x4.mul (local.get $sv) (local.get $bw))))
            (local.set $pa (i32.add (local.get $pa) (local.get $cs4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $n4)))
            (local.set $kk (i32.sub (local.get $kk) (i32.const 1)))
            (br $knext)))
        (v128.store (local.get $pc) (local.get $x0))
        (v128.store offset=16 (local.get $pc) (local.get $y0))
        (v128.store (i32.add (local.get $pc) (local.get $n4)) (local.get $x1))
        (v128.store offset=16 (i32.add (local.get $pc) (local.get $n4)) (local.get $y1))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $n4) (i32.const 1))) (local.get $x2))
        (v128.store offset=16 (i32.add (local.get $pc) (i32.shl (local.get $n4) (i32.const 1)))
          (local.get $y2))
        (v128.store (i32.add (local.get $pc) (i32.mul (local.get $n4) (i32.const 3))) (local.get $x3))
        (v128.store offset=16 (i32.add (local.get $pc) (i32.mul (local.get $n4) (i32.const 3)))
          (local.get $y3))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $next8)))
    ;; then 4 columns at a time
    (block $done4
      (loop $next4
        (br_if $done4 (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)))
        (local.set $pc (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $x0 (v128.load (local.get $pc)))
        (local.set $x1 (v128.load (i32.add (local.get $pc) (local.get $n4))))
        (local.set $x2 (v128.load (i32.add (local.get $pc) (i32.shl (local.get $n4) (i32.const 1)))))
        (local.set $x3
          (v128.load (i32.add (local.get $pc) (i32.mul (local.get $n4) (i32.const 3)))))
        (local.set $pa (local.get $a))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $kk (local.get $k))
        (block $kdone
          (loop $knext
            (br_if $kdone (i32.eqz (local.get $kk)))
            (local.set $bv (v128.load (local.get $pb)))
            (local.set $x0 (f32x4.add (local.get $x0)
              (f32x4.mul (f32x4.splat (f32.load (local.get $pa))) (local.get $bv))))
            (local.set $x1 (f32x4.add (local.get $x1)
              (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $pa) (local.get $rs4))))
                (local.get $bv))))
            (local.set $x2 (f32x4.add (local.get $x2)
              (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $pa) (local.get $ra2))))
                (local.get $bv))))
            (local.set $x3 (f32x4.add (local.get $x3)
              (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $pa) (local.get $ra3))))
                (local.get $bv))))
            (local.set $pa (i32.add (local.get $pa) (local.get $cs4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $n4)))
            (local.set $kk (i32.sub (local.get $kk) (i32.const 1)))
            (br $knext)))
        (v128.store (local.get $pc) (local.get $x0))
        (v128.store (i32.add (local.get $pc) (local.get $n4)) (local.get $x1))
        (v128.store (i32.add (local.get $pc) (i32.shl (local.get $n4) (i32.const 1))) (local.get $x2))
        (v128.store (i32.add (local.get $pc) (i32.mul (local.get $n4) (i32.const 3))) (local.get $x3))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next4)))
    ;; then single columns
    (block $done1
      (loop $next1
        (br_if $done1 (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $pc (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $t0 (f32.load (local.get $pc)))
        (local.set $t1 (f32.load (i32.add (local.get $pc) (local.get $n4))))
        (local.set $t2 (f32.load (i32.add (local.get $pc) (i32.shl (local.get $n4) (i32.const 1)))))
        (local.set $t3 (f32.load (i32.add (local.get $pc) (i32.mul (local.get $n4) (i32.const 3)))))
        (local.set $pa (local.get $a))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $kk (local.get $k))
        (block $kdone
          (loop $knext
            (br_if $kdone (i32.eqz (local.get $kk)))
            (local.set $bs (f32.load (local.get $pb)))
            (local.set $t0 (f32.add (local.get $t0) (f32.mul (f32.load (local.get $pa)) (local.get $bs))))
            (local.set $t1 (f32.add (local.get $t1)
              (f32.mul (f32.load (i32.add (local.get $pa) (local.get $rs4))) (local.get $bs))))
            (local.set $t2 (f32.add (local.get $t2)
              (f32.mul (f32.load (i32.add (local.get $pa) (local.get $ra2))) (local.get $bs))))
            (local.set $t3 (f32.add (local.get $t3)
              (f32.mul (f32.load (i32.add (local.get $pa) (local.get $ra3))) (local.get $bs))))
            (local.set $pa (i32.add (local.get $pa) (local.get $cs4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $n4)))
            (local.set $kk (i32.sub (local.get $kk) (i32.const 1)))
            (br $knext)))
        (f32.store (local.get $pc) (local.get $t0))
        (f32.store (i32.add (local.get $pc) (local.get $n4)) (local.get $t1))
        (f32.store (i32.add (local.get $pc) (i32.shl (local.get $n4) (i32.const 1))) (local.get $t2))
        (f32.store (i32.add (local.get $pc) (i32.mul (local.get $n4) (i32.const 3))) (local.get $t3))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next1))))

  ;; Row i of C += op(A) . B, one row at a time (the rows left over by $gemm_rows4).
  (func $gemm_row (param $a i32) (param $b i32) (param $c i32) (param $k i32) (param $n i32)
    (param $cs4 i32)
    (local $j i32) (local $kk i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $n4 i32)
    (local $x0 v128) (local $y0 v128) (local $sv v128) (local $t0 f32)
    (local.set $n4 (i32.shl (local.get $n) (i32.const 2)))
    (block $done8
      (loop $next8
        (br_if $done8 (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
        (local.set $pc (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $x0 (v128.load (local.get $pc)))
        (local.set $y0 (v128.load offset=16 (local.get $pc)))
        (local.set $pa (local.get $a))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $kk (local.get $k))
        (block $kdone
          (loop $knext
            (br_if $kdone (i32.eqz (local.get $kk)))
            (local.set $sv (f32x4.splat (f32.load (local.get $pa))))
            (local.set $x0
              (f32x4.add (local.get $x0) (f32x4.mul (local.get $sv) (v128.load (local.get $pb)))))
            (local.set $y0 (f32x4.add (local.get $y0)
              (f32x4.mul (local.get $sv) (v128.load offset=16 (local.get $pb)))))
            (local.set $pa (i32.add (local.get $pa) (local.get $cs4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $n4)))
            (local.set $kk (i32.sub (local.get $kk) (i32.const 1)))
            (br $knext)))
        (v128.store (local.get $pc) (local.get $x0))
        (v128.store offset=16 (local.get $pc) (local.get $y0))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $next8)))
    (block $done1
      (loop $next1
        (br_if $done1 (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $pc (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $t0 (f32.load (local.get $pc)))
        (local.set $pa (local.get $a))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $kk (local.get $k))
        (block $kdone
          (loop $knext
            (br_if $kdone (i32.eqz (local.get $kk)))
            (local.set $t0 (f32.add (local.get $t0)
              (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
            (local.set $pa (i32.add (local.get $pa) (local.get $cs4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $n4)))
            (local.set $kk (i32.sub (local.get $kk) (i32.const 1)))
            (br $knext)))
        (f32.store (local.get $pc) (local.get $t0))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next1))))

  ;; C[m, n] += op(A) . B, where op(A) is A [m, k] (ta = 0) or the transpose of A [k, m]
  ;; (ta = 1), and B is [k, n]. C holds its initial value (zeros or bias rows).
  (func (export "gemm")
    (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $k i32) (param $n i32)
    (param $ta i32)
    (local $i i32) (local $rs4 i32) (local $cs4 i32)
    (if (local.get $ta)
      (then
        (local.set $rs4 (i32.const 4))
        (local.set $cs4 (i32.shl (local.get $m) (i32.const 2))))
      (else
        (local.set $rs4 (i32.shl (local.get $k) (i32.const 2)))
        (local.set $cs4 (i32.const 4))))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $m)))
        (call $gemm_rows4
          (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rs4)))
          (local.get $b)
          (i32.add (local.get $c) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 2)))
          (local.get $k) (local.get $n) (local.get $rs4) (local.get $cs4))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next4)))
    (block $done1
      (loop $next1
        (br_if $done1 (i32.ge_u (local.get $i) (local.get $m)))
        (call $gemm_row
          (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rs4)))
          (local.get $b)
          (i32.add (local.get $c) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 2)))
          (local.get $k) (local.get $n) (local.get $cs4))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next1))))

  ;; Copies a block of rows x cols 4-byte elements between two row-major arrays with the given
  ;; row strides (in elements): slices, concatenation and splits are all such copies.
  (func (export "copy_block")
    (param $src i32) (param $sstride i32) (param $dst i32) (param $dstride i32) (param $rows i32)
    (param $cols i32)
    (local $r i32) (local $bytes i32) (local $s4 i32) (local $d4 i32)
    (local.set $bytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $s4 (i32.shl (local.get $sstride) (i32.const 2)))
    (local.set $d4 (i32.shl (local.get $dstride) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))
        (local.set $src (i32.add (local.get $src) (local.get $s4)))
        (local.set $dst (i32.add (local.get $dst) (local.get $d4)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next))))

  ;; dst = the transpose of src [rows, cols] (4-byte elements).
  (func (export "transpose")
    (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $i i32) (local $j i32) (local $ps i32) (local $rows4 i32)
    (local.set $rows4 (i32.shl (local.get $rows) (i32.const 2)))
    (block $doneI
      (loop $nextI
        (br_if $doneI (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $j (i32.const 0))
        (local.set $ps (i32.add (local.get $src) (i32.shl (i32.mul (local.get $i) (local.get $cols)) (i32.const 2))))
        (block $doneJ
          (loop $nextJ
            (br_if $doneJ (i32.ge_u (local.get $j) (local.get $cols)))
            (i32.store
              (i32.add (local.get $dst)
                (i32.add (i32.mul (local.get $j) (local.get $rows4)) (i32.shl (local.get $i) (i32.const 2))))
              (i32.load (local.get $ps)))
            (local.set $ps (i32.add (local.get $ps) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $nextJ)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $nextI))))

  ;; x = min(max(x, lo), hi) over n floats (relu: lo = 0, hi = inf; relu6: hi = 6).
  (func (export "clamp") (param $x i32) (param $n i32) (param $lo f32) (param $hi f32)
    (local $end i32) (local $end4 i32) (local $lov v128) (local $hiv v128)
    (local.set $lov (f32x4.splat (local.get $lo)))
    (local.set $hiv (f32x4.splat (local.get $hi)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4
      (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $x) (local.get $end4)))
        (v128.store (local.get $x)
          (f32x4.min (f32x4.max (v128.load (local.get $x)) (local.get $lov)) (local.get $hiv)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $next4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (f32.store (local.get $x)
          (f32.min (f32.max (f32.load (local.get $x)) (local.get $lo)) (local.get $hi)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $next))))

;; A dropout mask of n floats: scale where a uniform 32-bit draw is below threshold (keep
  ;; probability * 2^32), else 0. Four sfc32 generators (the generator of lib/random.ts) run in
  ;; the four lanes; element i takes lane i % 4. Their state (a, b, c, d: four lanes each, 64
  ;; bytes) is read from and written back to $state.
  (func (export "dropout_mask")
    (param $out i32) (param $n i32) (param $threshold i32) (param $scale f32) (param $state i32)
    (local $end4 i32) (local $rest i32) (local $t v128) (local $m v128) (local $thr v128)
    (local $sv v128) (local $one v128) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $a (v128.load (local.get $state)))
    (local.set $b (v128.load offset=16 (local.get $state)))
    (local.set $c (v128.load offset=32 (local.get $state)))
    (local.set $d (v128.load offset=48 (local.get $state)))
    (local.set $thr (i32x4.splat (local.get $threshold)))
    (local.set $sv (f32x4.splat (local.get $scale)))
    (local.set $one (i32x4.splat (i32.const 1)))
    (local.set $end4
      (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $rest (i32.and (local.get $n) (i32.const 3)))
    (block $done
      (loop $next
        ;; one sfc32 step in every lane
        (local.set $t (i32x4.add (i32x4.add (local.get $a) (local.get $b)) (local.get $d)))
        (local.set $d (i32x4.add (local.get $d) (local.get $one)))
        (local.set $a (v128.xor (local.get $b) (i32x4.shr_u (local.get $b) (i32.const 9))))
        (local.set $b (i32x4.add (local.get $c) (i32x4.shl (local.get $c) (i32.const 3))))
        (local.set $c (v128.or (i32x4.shl (local.get $c) (i32.const 21))
          (i32x4.shr_u (local.get $c) (i32.const 11))))
        (local.set $c (i32x4.add (local.get $c) (local.get $t)))
        (local.set $m (v128.and (i32x4.lt_u (local.get $t) (local.get $thr)) (local.get $sv)))
        (if (i32.lt_u (local.get $out) (local.get $end4))
          (then
            (v128.store (local.get $out) (local.get $m))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (br $next)))
        ;; the last n % 4 elements take the first lanes of one more step
        (if (i32.ge_u (local.get $rest) (i32.const 1))
          (then (f32.store (local.get $out) (f32x4.extract_lane 0 (local.get $m)))))
        (if (i32.ge_u (local.get $rest) (i32.const 2))
          (then (f32.store offset=4 (local.get $out) (f32x4.extract_lane 1 (local.get $m)))))
        (if (i32.ge_u (local.get $rest) (i32.const 3))
          (then (f32.store offset=8 (local.get $out) (f32x4.extract_lane 2 (local.get $m)))))))
    (v128.store (local.get $state) (local.get $a))
    (v128.store offset=16 (local.get $state) (local.get $b))
    (v128.store offset=32 (local.get $state) (local.get $c))
    (v128.store offset=48 (local.get $state) (local.get $d)))

  ;; out = dy where y > 0, else 0 (the gradient through a relu, from its output y).
  (func (export "relu_grad") (param $dy i32) (param $y i32) (param $out i32) (param $n i32)
    (local $end i32) (local $end4 i32) (local $zero v128)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4
      (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $out) (local.get $end4)))
        (v128.store (local.get $out)
          (v128.and (v128.load (local.get $dy))
            (f32x4.gt (v128.load (local.get $y)) (local.get $zero))))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (f32.store (local.get $out)
          (select (f32.load (local.get $dy)) (f32.const 0)
            (f32.gt (f32.load (local.get $y)) (f32.const 0))))
        (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $next))))

  ;; dst[0..cols) = the sum of the rows of src [rows, cols] (a bias gradient).
  (func (export "column_sums") (param $src i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $r i32) (local $row i32)
    (local.set $row (i32.shl (local.get $cols) (i32.const 2)))
    (memory.fill (local.get $dst) (i32.const 0) (local.get $row))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (call $add_row (local.get $dst) (local.get $src) (local.get $cols))
        (local.set $src (i32.add (local.get $src) (local.get $row)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next))))

  ;; dst[i] = the sum of row i of src [rows, n], for every row: each row from 0, its elements added
  ;; one by one in order, as tfjs' WASM Sum kernel adds them (so the same bits); eight rows at a
  ;; time in eight accumulators, so that their additions overlap instead of each waiting for the
  ;; one before (a softmax's row sums over the catalogue).
  (func (export "row_sums") (param $src i32) (param $rows i32) (param $n i32) (param $dst i32)
    (local $stride i32) (local $p i32) (local $end i32) (local $r i32)
    (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32) (local $o5 i32) (local $o6 i32)
    (local $o7 i32)
    (local $s0 f32) (local $s1 f32) (local $s2 f32) (local $s3 f32) (local $s4 f32) (local $s5 f32)
    (local $s6 f32) (local $s7 f32)
    (local.set $stride (i32.shl (local.get $n) (i32.const 2)))
    (local.set $o1 (local.get $stride))
    (local.set $o2 (i32.mul (local.get $stride) (i32.const 2)))
    (local.set $o3 (i32.mul (local.get $stride) (i32.const 3)))
    (local.set $o4 (i32.mul (local.get $stride) (i32.const 4)))
    (local.set $o5 (i32.mul (local.get $stride) (i32.const 5)))
    (local.set $o6 (i32.mul (local.get $stride) (i32.const 6)))
    (local.set $o7 (i32.mul (local.get $stride) (i32.const 7)))
    (block $blocks_done
      (loop $block
        (br_if $blocks_done (i32.gt_u (i32.add (local.get $r) (i32.const 8)) (local.get $rows)))
        (local.set $s0 (f32.const 0))
        (local.set $s1 (f32.const 0))
        (local.set $s2 (f32.const 0))
        (local.set $s3 (f32.const 0))
        (local.set $s4 (f32.const 0))
        (local.set $s5 (f32.const 0))
        (local.set $s6 (f32.const 0))
        (local.set $s7 (f32.const 0))
        (local.set $p (local.get $src))
        (local.set $end (i32.add (local.get $src) (local.get $stride)))
        (block $row_done
          (loop $column
            (br_if $row_done (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $s0 (f32.add (local.get $s0) (f32.load (local.get $p))))
            (local.set $s1
              (f32.add (local.get $s1) (f32.load (i32.add (local.get $p) (local.get $o1)))))
            (local.set $s2
              (f32.add (local.get $s2) (f32.load (i32.add (local.get $p) (local.get $o2)))))
            (local.set $s3
              (f32.add (local.get $s3) (f32.load (i32.add (local.get $p) (local.get $o3)))))
            (local.set $s4
              (f32.add (local.get $s4) (f32.load (i32.add (local.get $p) (local.get $o4)))))
            (local.set $s5
              (f32.add (local.get $s5) (f32.load (i32.add (local.get $p) (local.get $o5)))))
            (local.set $s6
              (f32.add (local.get $s6) (f32.load (i32.add (local.get $p) (local.get $o6)))))
            (local.set $s7
              (f32.add (local.get $s7) (f32.load (i32.add (local.get $p) (local.get $o7)))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $column)))
        (f32.store offset=0 (local.get $dst) (local.get $s0))
        (f32.store offset=4 (local.get $dst) (local.get $s1))
        (f32.store offset=8 (local.get $dst) (local.get $s2))
        (f32.store offset=12 (local.get $dst) (local.get $s3))
        (f32.store offset=16 (local.get $dst) (local.get $s4))
        (f32.store offset=20 (local.get $dst) (local.get $s5))
        (f32.store offset=24 (local.get $dst) (local.get $s6))
        (f32.store offset=28 (local.get $dst) (local.get $s7))
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $stride) (i32.const 3))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $r (i32.add (local.get $r) (i32.const 8)))
        (br $block)))
    ;; the last rows % 8 rows, one at a time
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $s0 (f32.const 0))
        (local.set $p (local.get $src))
        (local.set $end (i32.add (local.get $src) (local.get $stride)))
        (block $one_done
          (loop $one
            (br_if $one_done (i32.ge_u (local.get $p) (local.get $end)))
            (local.set $s0 (f32.add (local.get $s0) (f32.load (local.get $p))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $one)))
        (f32.store (local.get $dst) (local.get $s0))
        (local.set $src (local.get $end))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; The largest of the n > 0 floats at p as tfjs' WASM Max kernel finds it, one at a time in order:
  ;; from the first element, each element takes the place of the largest so far when it is greater
  ;; or is NaN. So a row with a NaN gives its last NaN, and of +0 and -0 the first seen stays.
  (func $row_max_in_order (param $p i32) (param $n i32) (result f32)
    (local $end i32) (local $m f32) (local $v f32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $m (f32.load (local.get $p)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (f32.load (local.get $p)))
        (local.set $m
          (select (local.get $v) (local.get $m)
            (i32.or (f32.gt (local.get $v) (local.get $m)) (f32.ne (local.get $v) (local.get $v)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $next)))
    (local.get $m))

  ;; The same result in one SIMD pass: without a NaN in the row the in-order scan ends on the
  ;; first element equal to the largest value, and equal floats other than zeros have the same
  ;; bits, so any order of comparison gives them. A row with a NaN, or whose largest value is a
  ;; zero (+0 or -0, the first one seen wins), is scanned again in order.
  (func $row_max (param $p i32) (param $n i32) (result f32)
    (local $q i32) (local $end i32) (local $end16 i32) (local $end4 i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $v v128)
    (local $nan v128) (local $m f32) (local $x f32) (local $bad i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end16 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -16)) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (local.set $a0 (f32x4.splat (f32.load (local.get $p))))
    (local.set $a1 (local.get $a0))
    (local.set $a2 (local.get $a0))
    (local.set $a3 (local.get $a0))
    (local.set $nan (v128.const i32x4 0 0 0 0))
    (local.set $q (local.get $p))
    ;; sixteen at a time in four accumulators (pmax: the right operand when it is greater)
    (block $done16
      (loop $next16
        (br_if $done16 (i32.ge_u (local.get $q) (local.get $end16)))
        (local.set $v (v128.load offset=0 (local.get $q)))
        (local.set $a0 (f32x4.pmax (local.get $a0) (local.get $v)))
        (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $v (v128.load offset=16 (local.get $q)))
        (local.set $a1 (f32x4.pmax (local.get $a1) (local.get $v)))
        (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $v (v128.load offset=32 (local.get $q)))
        (local.set $a2 (f32x4.pmax (local.get $a2) (local.get $v)))
        (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $v (v128.load offset=48 (local.get $q)))
        (local.set $a3 (f32x4.pmax (local.get $a3) (local.get $v)))
        (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $q (i32.add (local.get $q) (i32.const 64)))
        (br $next16)))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $q) (local.get $end4)))
        (local.set $v (v128.load (local.get $q)))
        (local.set $a0 (f32x4.pmax (local.get $a0) (local.get $v)))
        (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $v) (local.get $v))))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $next4)))
    (local.set $a0
      (f32x4.pmax (f32x4.pmax (local.get $a0) (local.get $a1))
        (f32x4.pmax (local.get $a2) (local.get $a3))))
    (local.set $m (f32x4.extract_lane 0 (local.get $a0)))
    (local.set $m (f32.max (local.get $m) (f32x4.extract_lane 1 (local.get $a0))))
    (local.set $m (f32.max (local.get $m) (f32x4.extract_lane 2 (local.get $a0))))
    (local.set $m (f32.max (local.get $m) (f32x4.extract_lane 3 (local.get $a0))))
    (local.set $bad (v128.any_true (local.get $nan)))
    ;; the last n % 4 elements
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $q) (local.get $end)))
        (local.set $x (f32.load (local.get $q)))
        (local.set $m (f32.max (local.get $m) (local.get $x)))
        (local.set $bad (i32.or (local.get $bad) (f32.ne (local.get $x) (local.get $x))))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $next)))
    (if (result f32) (i32.or (local.get $bad) (f32.eq (local.get $m) (f32.const 0)))
      (then (call $row_max_in_order (local.get $p) (local.get $n)))
      (else (local.get $m))))

  ;; dst[i] = the largest element of row i of src [rows, n] (n > 0), for every row, with the bits
  ;; of tfjs' WASM Max kernel (see $row_max).
  (func (export "row_maxima") (param $src i32) (param $rows i32) (param $n i32) (param $dst i32)
    (local $r i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (f32.store (local.get $dst) (call $row_max (local.get $src) (local.get $n)))
        (local.set $src (i32.add (local.get $src) (local.get $stride)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next))))

;; ---------------------------------------------------------------------------------------------
  ;; Stock layers: the Dot layer on rows, the sigmoid gradient, Rescaling

  ;; out[i] = sum over k of a[i, k] * b[i, k], for n rows of f floats (a Dot layer on the
  ;; last axis of two equally shaped inputs).
  (func (export "row_dot") (param $a i32) (param $b i32) (param $n i32) (param $f i32) (param $out i32)
    (local $i i32) (local $row i32)
    (local.set $row (i32.shl (local.get $f) (i32.const 2)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (call $dot_row (local.get $a) (local.get $b) (local.get $f)))
        (local.set $a (i32.add (local.get $a) (local.get $row)))
        (local.set $b (i32.add (local.get $b) (local.get $row)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; The gradient of row_dot: da[i, :] = dy[i] * b[i, :] and db[i, :] = dy[i] * a[i, :].
  (func (export "row_dot_grad")
    (param $a i32) (param $b i32) (param $dy i32) (param $n i32) (param $f i32)
    (param $da i32) (param $db i32)
    (local $i i32) (local $row i32) (local $g f32)
    (local.set $row (i32.shl (local.get $f) (i32.const 2)))
    (memory.fill (local.get $da) (i32.const 0) (i32.mul (local.get $n) (local.get $row)))
    (memory.fill (local.get $db) (i32.const 0) (i32.mul (local.get $n) (local.get $row)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $g (f32.load (i32.add (local.get $dy) (i32.shl (local.get $i) (i32.const 2)))))
        (call $axpy_row (local.get $da) (local.get $b) (local.get $g) (local.get $f))
        (call $axpy_row (local.get $db) (local.get $a) (local.get $g) (local.get $f))
        (local.set $a (i32.add (local.get $a) (local.get $row)))
        (local.set $b (i32.add (local.get $b) (local.get $row)))
        (local.set $da (i32.add (local.get $da) (local.get $row)))
        (local.set $db (i32.add (local.get $db) (local.get $row)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  ;; out = dy * (y * (1 - y)), the gradient through a sigmoid from its output y, in the order
  ;; tfjs computes it (the same float32 roundings).
  (func (export "sigmoid_grad") (param $dy i32) (param $y i32) (param $out i32) (param $n i32)
    (local $end i32) (local $end4 i32) (local $one v128) (local $yv v128) (local $yf f32)
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4
      (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $out) (local.get $end4)))
        (local.set $yv (v128.load (local.get $y)))
        (v128.store (local.get $out)
          (f32x4.mul (v128.load (local.get $dy))
            (f32x4.mul (local.get $yv) (f32x4.sub (local.get $one) (local.get $yv)))))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (local.set $yf (f32.load (local.get $y)))
        (f32.store (local.get $out)
          (f32.mul (f32.load (local.get $dy))
            (f32.mul (local.get $yf) (f32.sub (f32.const 1) (local.get $yf)))))
        (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $next))))

  ;; out = x * scale + shift over n floats (a Rescaling layer; its gradient with shift 0).
  (func (export "scale_shift")
    (param $x i32) (param $n i32) (param $scale f32) (param $shift f32) (param $out i32)
    (local $end i32) (local $end4 i32) (local $sv v128) (local $hv v128)
    (local.set $sv (f32x4.splat (local.get $scale)))
    (local.set $hv (f32x4.splat (local.get $shift)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4
      (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $out) (local.get $end4)))
        (v128.store (local.get $out)
          (f32x4.add (f32x4.mul (v128.load (local.get $x)) (local.get $sv)) (local.get $hv)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $next4)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (f32.store (local.get $out)
          (f32.add (f32.mul (f32.load (local.get $x)) (local.get $scale)) (local.get $shift)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $next))))

  ;; One fused Adam step over n parameters, in place:
  ;;   g' = g + c w                    (c = L2 weight decay + 2 * Keras l2 penalty)
  ;;   m  = b1 m + ob1 g'              (ob1 = 1 - b1)
  ;;   v  = b2 v + ob2 g'^2            (ob2 = 1 - b2)
  ;;   w  = d w - alpha m / (s sqrt(v) + eps)
  ;; The caller folds the bias corrections and the decoupled decay into alpha, s and d.
  ;; Returns the sum of squares of w before the step (for reporting an L2 penalty).
  (func (export "adam")
    (param $w i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $b1 f32) (param $ob1 f32) (param $b2 f32) (param $ob2 f32) (param $c f32)
    (param $d f32) (param $alpha f32) (param $s f32) (param $eps f32) (result f32)
    (local $end i32) (local $end4 i32) (local $acc v128) (local $sum f32)
    (local $wv v128) (local $gv v128) (local $mv v128) (local $vv v128)
    (local $b1v v128) (local $ob1v v128) (local $b2v v128) (local $ob2v v128) (local $cv v128)
    (local $dv v128) (local $alphav v128) (local $sv v128) (local $epsv v128)
    (local $wi f32) (local $gi f32) (local $mi f32) (local $vi f32)
    (local.set $b1v (f32x4.splat (local.get $b1)))
    (local.set $ob1v (f32x4.splat (local.get $ob1)))
    (local.set $b2v (f32x4.splat (local.get $b2)))
    (local.set $ob2v (f32x4.splat (local.get $ob2)))
    (local.set $cv (f32x4.splat (local.get $c)))
    (local.set $dv (f32x4.splat (local.get $d)))
    (local.set $alphav (f32x4.splat (local.get $alpha)))
    (local.set $sv (f32x4.splat (local.get $s)))
    (local.set $epsv (f32x4.splat (local.get $eps)))
    (local.set $end (i32.add (local.get $w) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4
      (i32.add (local.get $w) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $next4
        (br_if $done4 (i32.ge_u (local.get $w) (local.get $end4)))
        (local.set $wv (v128.load (local.get $w)))
        (local.set $gv
          (f32x4.add (v128.load (local.get $g)) (f32x4.mul (local.get $cv) (local.get $wv))))
        (local.set $mv
          (f32x4.add (f32x4.mul (local.get $b1v) (v128.load (local.get $m)))
            (f32x4.mul (local.get $ob1v) (local.get $gv))))
        (local.set $vv
          (f32x4.add (f32x4.mul (local.get $b2v) (v128.load (local.get $v)))
            (f32x4.mul (local.get $ob2v) (f32x4.mul (local.get $gv) (local.get $gv)))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $wv) (local.get $wv))))
        (v128.store (local.get $m) (local.get $mv))
        (v128.store (local.get $v) (local.get $vv))
        (v128.store (local.get $w)
          (f32x4.sub (f32x4.mul (local.get $dv) (local.get $wv))
            (f32x4.div (f32x4.mul (local.get $alphav) (local.get $mv))
              (f32x4.add (f32x4.mul (local.get $sv) (f32x4.sqrt (local.get $vv)))
                (local.get $epsv)))))
        (local.set $w (i32.add (local.get $w) (i32.const 16)))
        (local.set $g (i32.add (local.get $g) (i32.const 16)))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $next4)))
    (local.set $sum
      (f32.add
        (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
        (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $w) (local.get $end)))
        (local.set $wi (f32.load (local.get $w)))
        (local.set $gi (f32.add (f32.load (local.get $g)) (f32.mul (local.get $c) (local.get $wi))))
        (local.set $mi
          (f32.add (f32.mul (local.get $b1) (f32.load (local.get $m)))
            (f32.mul (local.get $ob1) (local.get $gi))))
        (local.set $vi
          (f32.add (f32.mul (local.get $b2) (f32.load (local.get $v)))
            (f32.mul (local.get $ob2) (f32.mul (local.get $gi) (local.get $gi)))))
        (local.set $sum (f32.add (local.get $sum) (f32.mul (local.get $wi) (local.get $wi))))
        (f32.store (local.get $m) (local.get $mi))
        (f32.store (local.get $v) (local.get $vi))
        (f32.store (local.get $w)
          (f32.sub (f32.mul (local.get $d) (local.get $wi))
            (f32.div (f32.mul (local.get $alpha) (local.get $mi))
              (f32.add (f32.mul (local.get $s) (f32.sqrt (local.get $vi))) (local.get $eps)))))
        (local.set $w (i32.add (local.get $w) (i32.const 4)))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (local.set $m (i32.add (local.get $m) (i32.const 4)))
        (local.set $v (i32.add (local.get $v) (i32.const 4)))
        (br $next)))
    (local.get $sum))
)
