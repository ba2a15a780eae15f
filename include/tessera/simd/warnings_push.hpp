// No include guard: included at the top of each simd header's body, paired with
// simd/warnings_pop.hpp at its end.
//
// GCC 12 before 12.3 (Debian 12 ships 12.2) warns "'__Y' is used uninitialized" inside
// its own avx512fintrin.h whenever an AVX-512 intrinsic that starts from
// _mm512_undefined_ps() is inlined into -Wall code (GCC bug 105593; xsimd's AVX-512
// kernels hit it). GCC checks the warning state where the intrinsic is inlined into, so
// we silence these two warnings over our kernel code and over the first inclusion of
// <xsimd/xsimd.hpp> (its out-of-line math kernels), and nowhere else.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
