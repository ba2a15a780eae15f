#pragma once
// tessera's SIMD layer: float32 kernels written once as `template <class Arch>` functors
// over xsimd batches, with public wrappers in tessera::simd that use the instruction set
// of the including translation unit (tessera::simd_level() names it), and the scalar
// loops they are tested against in tessera::simd::reference.
//
//   simd/arch.hpp         default_arch, batch_size, simd_level(), scalar fallback
//   simd/compat.hpp       xsimd 8.1 vs 10+/11+ differences (reduce_sum, bit_cast)
//   simd/loop.hpp         loop skeletons: padded tails, deterministic 4-way folds
//   simd/reduce.hpp       dot, sum, max
//   simd/elementwise.hpp  axpy, scale, add, mul
//   simd/math.hpp         exp, tanh, erf, gelu_erf, gelu_tanh, silu
//   simd/norm.hpp         softmax, layernorm, rmsnorm
//   simd/convert.hpp      f32 <-> f16, f32 <-> bf16
//   simd/reference.hpp    scalar versions of all of the above
//   simd/warnings_push.hpp, warnings_pop.hpp   silence a GCC 12 false warning in AVX-512 code
#include "tessera/simd/arch.hpp"
#include "tessera/simd/compat.hpp"
#include "tessera/simd/convert.hpp"
#include "tessera/simd/elementwise.hpp"
#include "tessera/simd/loop.hpp"
#include "tessera/simd/math.hpp"
#include "tessera/simd/norm.hpp"
#include "tessera/simd/reduce.hpp"
#include "tessera/simd/reference.hpp"
