;; The solvers' inner loops over one design column, in WebAssembly SIMD (f64x2). Source of
;; kernels-wasm.ts (`npm run build:kernels` assembles it; a test checks the two agree).
;;
;; Pointers are byte offsets into the imported memory: a column x is float32, every other vector
;; float64. Each sum is accumulated in exactly the order the plain loops the kernels replaced used
;; (lane 0 of an accumulator holds the even elements, lane 1 the odd ones, the tail goes to the
;; first sum; no fused multiply-add), so results are bit-identical to those loops (kernels.test.ts
;; keeps them as the reference).
(module
  (import "env" "memory" (memory 1))

  ;; sum_i x[i] v[i]: four sums by i mod 4, returned as (s0 + s1) + (s2 + s3).
  (func (export "dot") (param $x i32) (param $v i32) (param $n i32) (result f64)
    (local $acc0 v128) (local $acc1 v128) (local $end i32) (local $s0 f64)
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $quad
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x))) (v128.load (local.get $v)))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $x))) (v128.load offset=16 (local.get $v)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 32)))
        (br $quad)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $acc0)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.promote_f32 (f32.load (local.get $x))) (f64.load (local.get $v)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $v (i32.add (local.get $v) (i32.const 8)))
        (br $tail)))
    (f64.add
      (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $acc0)))
      (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1)))))

  ;; `dot` of two columns xa and xb with the same v, into out[0] and out[1] (v read once).
  (func (export "dot2") (param $xa i32) (param $xb i32) (param $v i32) (param $n i32) (param $out i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $v0 v128) (local $v1 v128)
    (local $end i32) (local $sa f64) (local $sb f64) (local $vi f64)
    (local.set $end (i32.add (local.get $xa) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $quad
        (br_if $done (i32.ge_u (local.get $xa) (local.get $end)))
        (local.set $v0 (v128.load (local.get $v)))
        (local.set $v1 (v128.load offset=16 (local.get $v)))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $xa))) (local.get $v0))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $xa))) (local.get $v1))))
        (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $xb))) (local.get $v0))))
        (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $xb))) (local.get $v1))))
        (local.set $xa (i32.add (local.get $xa) (i32.const 16)))
        (local.set $xb (i32.add (local.get $xb) (i32.const 16)))
        (local.set $v (i32.add (local.get $v) (i32.const 32)))
        (br $quad)))
    (local.set $sa (f64x2.extract_lane 0 (local.get $a0)))
    (local.set $sb (f64x2.extract_lane 0 (local.get $b0)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $xa) (local.get $end)))
        (local.set $vi (f64.load (local.get $v)))
        (local.set $sa (f64.add (local.get $sa) (f64.mul (f64.promote_f32 (f32.load (local.get $xa))) (local.get $vi))))
        (local.set $sb (f64.add (local.get $sb) (f64.mul (f64.promote_f32 (f32.load (local.get $xb))) (local.get $vi))))
        (local.set $xa (i32.add (local.get $xa) (i32.const 4)))
        (local.set $xb (i32.add (local.get $xb) (i32.const 4)))
        (local.set $v (i32.add (local.get $v) (i32.const 8)))
        (br $tail)))
    (f64.store (local.get $out)
      (f64.add
        (f64.add (local.get $sa) (f64x2.extract_lane 1 (local.get $a0)))
        (f64.add (f64x2.extract_lane 0 (local.get $a1)) (f64x2.extract_lane 1 (local.get $a1)))))
    (f64.store offset=8 (local.get $out)
      (f64.add
        (f64.add (local.get $sb) (f64x2.extract_lane 1 (local.get $b0)))
        (f64.add (f64x2.extract_lane 0 (local.get $b1)) (f64x2.extract_lane 1 (local.get $b1))))))

  ;; sum_i (h[i] x[i]) x[i]: two sums by i mod 2, returned as s0 + s1.
  (func (export "weightedSquares") (param $x i32) (param $h i32) (param $n i32) (result f64)
    (local $acc v128) (local $a v128) (local $end i32) (local $s0 f64) (local $t f64)
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $a (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x))))
        (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (f64x2.mul (v128.load (local.get $h)) (local.get $a)) (local.get $a))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $h (i32.add (local.get $h) (i32.const 16)))
        (br $pair)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $acc)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $t (f64.promote_f32 (f32.load (local.get $x))))
        (local.set $s0 (f64.add (local.get $s0) (f64.mul (f64.mul (f64.load (local.get $h)) (local.get $t)) (local.get $t))))))
    (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $acc))))

  ;; v[i] += c x[i]
  (func (export "axpy") (param $c f64) (param $x i32) (param $v i32) (param $n i32)
    (local $cv v128) (local $end i32)
    (local.set $cv (f64x2.splat (local.get $c)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store (local.get $v) (f64x2.add (v128.load (local.get $v)) (f64x2.mul (local.get $cv) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x))))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $v (i32.add (local.get $v) (i32.const 16)))
        (br $pair)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (f64.store (local.get $v) (f64.add (f64.load (local.get $v)) (f64.mul (local.get $c) (f64.promote_f32 (f32.load (local.get $x)))))))))

  ;; u[i] += (c h[i]) x[i]
  (func (export "axpyWeighted") (param $c f64) (param $x i32) (param $h i32) (param $u i32) (param $n i32)
    (local $cv v128) (local $end i32)
    (local.set $cv (f64x2.splat (local.get $c)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (v128.store (local.get $u) (f64x2.add (v128.load (local.get $u)) (f64x2.mul (f64x2.mul (local.get $cv) (v128.load (local.get $h))) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x))))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $h (i32.add (local.get $h) (i32.const 16)))
        (local.set $u (i32.add (local.get $u) (i32.const 16)))
        (br $pair)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then (f64.store (local.get $u) (f64.add (f64.load (local.get $u)) (f64.mul (f64.mul (local.get $c) (f64.load (local.get $h))) (f64.promote_f32 (f32.load (local.get $x)))))))))

  ;; sum_i x[i] (r[i] + p[i] (dz[i] - s[i])): two sums by i mod 2, returned as s0 + s1.
  (func (export "multinomialGradient") (param $x i32) (param $r i32) (param $p i32) (param $dz i32) (param $s i32) (param $n i32) (result f64)
    (local $acc v128) (local $end i32) (local $s0 f64)
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $acc (f64x2.add (local.get $acc)
          (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x)))
            (f64x2.add (v128.load (local.get $r))
              (f64x2.mul (v128.load (local.get $p)) (f64x2.sub (v128.load (local.get $dz)) (v128.load (local.get $s))))))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $dz (i32.add (local.get $dz) (i32.const 16)))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (br $pair)))
    (local.set $s0 (f64x2.extract_lane 0 (local.get $acc)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $s0 (f64.add (local.get $s0)
          (f64.mul (f64.promote_f32 (f32.load (local.get $x)))
            (f64.add (f64.load (local.get $r))
              (f64.mul (f64.load (local.get $p)) (f64.sub (f64.load (local.get $dz)) (f64.load (local.get $s))))))))))
    (f64.add (local.get $s0) (f64x2.extract_lane 1 (local.get $acc))))

  ;; step = c x[i]; dz[i] += step; s[i] += step p[i]
  (func (export "multinomialUpdate") (param $c f64) (param $x i32) (param $p i32) (param $dz i32) (param $s i32) (param $n i32)
    (local $cv v128) (local $step v128) (local $end i32) (local $t f64)
    (local.set $cv (f64x2.splat (local.get $c)))
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (block $done
      (loop $pair
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $step (f64x2.mul (local.get $cv) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $x)))))
        (v128.store (local.get $dz) (f64x2.add (v128.load (local.get $dz)) (local.get $step)))
        (v128.store (local.get $s) (f64x2.add (v128.load (local.get $s)) (f64x2.mul (local.get $step) (v128.load (local.get $p)))))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $dz (i32.add (local.get $dz) (i32.const 16)))
        (local.set $s (i32.add (local.get $s) (i32.const 16)))
        (br $pair)))
    (if (i32.and (local.get $n) (i32.const 1))
      (then
        (local.set $t (f64.mul (local.get $c) (f64.promote_f32 (f32.load (local.get $x)))))
        (f64.store (local.get $dz) (f64.add (f64.load (local.get $dz)) (local.get $t)))
        (f64.store (local.get $s) (f64.add (f64.load (local.get $s)) (f64.mul (local.get $t) (f64.load (local.get $p))))))))
)
