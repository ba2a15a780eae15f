// Tests of the simd layer: every kernel, on every instruction set this translation unit
// can run (the default one, narrower ones, and the scalar fallback), against an oracle
// computed in double precision, for every length 1..300 and a few large ones, with
// 64-byte aligned data and data offset by one float, with guard values around every
// output buffer. Tolerances are stated where they are checked.
#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "tessera/core/aligned.hpp"
#include "tessera/simd.hpp"

using namespace tessera;

#if defined(XSIMD_NO_SUPPORTED_ARCHITECTURE)
#define TEST_ARCHS simd::scalar_arch
#elif XSIMD_WITH_AVX512BW
#define TEST_ARCHS xsimd::avx512bw, xsimd::fma3<xsimd::avx2>, xsimd::sse2, simd::scalar_arch
#elif XSIMD_WITH_FMA3_AVX2
#define TEST_ARCHS xsimd::fma3<xsimd::avx2>, xsimd::sse2, simd::scalar_arch
#elif XSIMD_WITH_SSE2
#define TEST_ARCHS xsimd::sse2, simd::scalar_arch
#else
#define TEST_ARCHS simd::default_arch, simd::scalar_arch
#endif

namespace {

constexpr double u = 0x1p-24;  // unit roundoff of float
constexpr float inf = std::numeric_limits<float>::infinity();
constexpr float qnan = std::numeric_limits<float>::quiet_NaN();

std::vector<std::size_t> test_lengths() {
    std::vector<std::size_t> n;
    for (std::size_t i = 1; i <= 300; ++i) n.push_back(i);
    for (std::size_t big : {1000, 4096 + 7, 100003}) n.push_back(big);
    return n;
}

// n elements of T starting 64-byte aligned (aligned = true) or one element past that,
// with 16 guard elements before and after holding a pattern no kernel writes.
template <class T>
struct guarded {
    static constexpr std::uint16_t guard16 = 0xa5a5;
    std::vector<T, aligned_allocator<T>> mem;
    std::size_t off, n;
    guarded(std::size_t count, bool aligned) : mem(count + 33), off(aligned ? 16 : 17), n(count) {
        for (T& v : mem) set_guard(v);
    }
    static void set_guard(T& v) {
        if constexpr (std::is_same_v<T, float>) v = std::bit_cast<float>(0x7fa5a5a5u);
        else v.bits = guard16;
    }
    static bool is_guard(const T& v) {
        if constexpr (std::is_same_v<T, float>) return std::bit_cast<std::uint32_t>(v) == 0x7fa5a5a5u;
        else return v.bits == guard16;
    }
    T* data() { return mem.data() + off; }
    T& operator[](std::size_t i) { return mem[off + i]; }
    void fill(const std::vector<T>& v) { std::copy(v.begin(), v.end(), data()); }
    bool guards_intact() const {
        for (std::size_t i = 0; i < mem.size(); ++i)
            if ((i < off || i >= off + n) && !is_guard(mem[i])) return false;
        return true;
    }
};

std::uint32_t bits(float f) { return std::bit_cast<std::uint32_t>(f); }

// Same bits, or both NaN (payloads of computed NaNs are not specified).
bool same(float a, float b) { return bits(a) == bits(b) || (std::isnan(a) && std::isnan(b)); }

std::vector<float> uniform(std::size_t n, float lo, float hi, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = d(rng);
    return v;
}

// Distance from `got` to the exact `ref` in float ulps at ref's magnitude (the ulp of
// subnormals is 2^-149). inf and NaN must match exactly.
double ulps(float got, double ref) {
    if (std::fabs(ref) >= 0x1.ffffffp127) ref = std::copysign(double(inf), ref);  // rounds to inf
    if (std::isnan(ref)) return std::isnan(got) ? 0.0 : 1e30;
    if (std::isinf(ref) || std::isinf(got)) return double(got) == ref ? 0.0 : 1e30;
    int e = 0;
    std::frexp(ref, &e);
    return std::fabs(double(got) - ref) / std::ldexp(1.0, std::max(e - 24, -149));
}

// Runs `kernel(out, in...)` on aligned and on offset copies of the inputs and checks that
// both give the same bits (results never depend on alignment), that a second call gives
// the same bits (determinism) and that nothing outside the output was written.
template <class Kernel>
std::vector<float> run_both(std::size_t n, const std::vector<std::vector<float>>& ins, Kernel kernel) {
    std::vector<float> result[2];
    for (bool aligned : {true, false}) {
        std::vector<guarded<float>> in;
        for (const auto& v : ins) {
            in.emplace_back(n, aligned);
            in.back().fill(v);
        }
        guarded<float> out(n, aligned), again(n, aligned);
        kernel(out.data(), in);
        kernel(again.data(), in);
        REQUIRE(out.guards_intact());
        for (std::size_t i = 0; i < n; ++i) REQUIRE(same(out[i], again[i]));
        result[aligned].assign(out.data(), out.data() + n);
    }
    for (std::size_t i = 0; i < n; ++i) REQUIRE(same(result[0][i], result[1][i]));
    return result[1];
}

// One ulp of a float at ref's magnitude (subnormal spacing at the bottom).
double ulp_at(double ref) { return ref == 0 ? 0x1p-149 : std::ldexp(1.0, std::max(std::ilogb(ref) - 23, -149)); }

// Elementwise unary kernel vs a double oracle: |got − f(x)| <= max_ulp·ulp(f(x)) +
// cond·u·|x·f'(x)| + floor. The middle term is the error any float evaluation inherits
// from rounding x inside the formula (x/√2, x³); `floor` admits flushing results below
// it to zero.
template <class Kernel, class F, class DF>
void check_unary(Kernel kernel, F f, DF df, float lo, float hi, double max_ulp, double cond, double floor,
                 std::vector<float> specials = {}) {
    for (std::size_t n : test_lengths()) {
        auto x = uniform(n, lo, hi, std::uint32_t(n));
        for (std::size_t k = 0; k < specials.size() && k < n; ++k) x[(k * 7919) % n] = specials[k];
        auto got = run_both(n, {x}, [&](float* out, auto& in) { kernel(out, in[0].data(), n); });
        for (std::size_t i = 0; i < n; ++i) {
            const double ref = f(double(x[i]));
            if (std::isnan(ref) || std::fabs(ref) >= 0x1.ffffffp127) {
                INFO("x = " << x[i]);
                REQUIRE(same(got[i], std::isnan(ref) ? qnan : std::copysign(inf, float(ref))));
                continue;
            }
            const double inherited = cond > 0 ? cond * u * std::fabs(x[i] * df(double(x[i]))) : 0.0;
            const double tol = max_ulp + (inherited + floor) / ulp_at(ref);
            INFO("n = " << n << " x = " << x[i] << " got " << got[i] << " want " << ref);
            REQUIRE(ulps(got[i], ref) <= tol);
        }
        // In place (out == in) gives the same bits.
        std::vector<float> inplace = x;
        kernel(inplace.data(), inplace.data(), n);
        for (std::size_t i = 0; i < n; ++i) REQUIRE(same(inplace[i], got[i]));
    }
}

double phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double gelu_erf_slope(double x) { return phi(x) + x * std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI); }  // d/dx x·Φ(x)
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
constexpr double k_gelu = 0.7978845608028654;  // √(2/π)

// Normalised mean squared error Σ(got − ref)² / Σ ref².
double nmse(const std::vector<float>& got, const std::vector<double>& ref) {
    double num = 0, den = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        num += (got[i] - ref[i]) * (got[i] - ref[i]);
        den += ref[i] * ref[i];
    }
    return den == 0 ? num : num / den;
}

}  // namespace

TEST_CASE("simd_level names the instruction set and batch_size matches it") {
    const std::string level = simd_level();
    MESSAGE("simd level: " << level << ", batch_size " << simd::batch_size);
    CHECK(!level.empty());
    CHECK(simd::batch_size == simd::batch_size_of<simd::default_arch>());
    CHECK(std::string(simd_level<simd::scalar_arch>()) == "scalar");
#if defined(__AVX512BW__)
    CHECK(level == "avx512bw");
    CHECK(simd::batch_size == 16);
#elif defined(__x86_64__) && !defined(__AVX__)
    CHECK(level.rfind("sse", 0) == 0);
    CHECK(simd::batch_size == 4);
#endif
}

TEST_CASE_TEMPLATE("dot and sum: error <= n·eps·Σ|terms| vs double, NaN propagates", A, TEST_ARCHS) {
    for (std::size_t n : test_lengths()) {
        const auto a = uniform(n, -2.0f, 2.0f, 1u + std::uint32_t(n)), b = uniform(n, -2.0f, 2.0f, 7u * std::uint32_t(n));
        float d[2], s[2];
        for (bool aligned : {true, false}) {
            guarded<float> ga(n, aligned), gb(n, aligned);
            ga.fill(a);
            gb.fill(b);
            d[aligned] = simd::dot<A>(ga.data(), gb.data(), n);
            s[aligned] = simd::sum<A>(ga.data(), n);
            REQUIRE(bits(simd::dot<A>(ga.data(), gb.data(), n)) == bits(d[aligned]));  // deterministic
            REQUIRE(bits(simd::sum<A>(ga.data(), n)) == bits(s[aligned]));
        }
        REQUIRE(bits(d[0]) == bits(d[1]));  // independent of alignment
        REQUIRE(bits(s[0]) == bits(s[1]));
        double dx = 0, dabs = 0, sx = 0, sabs = 0;
        for (std::size_t i = 0; i < n; ++i) {
            dx += double(a[i]) * b[i];
            dabs += std::fabs(double(a[i]) * b[i]);
            sx += a[i];
            sabs += std::fabs(a[i]);
        }
        const double eps = 2 * u;
        INFO("n = " << n);
        REQUIRE(std::fabs(d[1] - dx) <= n * eps * dabs);
        REQUIRE(std::fabs(s[1] - sx) <= n * eps * sabs);
        if (n >= 3) {
            auto c = a;
            c[n / 2] = qnan;
            CHECK(std::isnan(simd::sum<A>(c.data(), n)));
            CHECK(std::isnan(simd::dot<A>(c.data(), b.data(), n)));
        }
    }
    CHECK(simd::sum<A>(nullptr, 0) == 0.0f);
    CHECK(simd::dot<A>(nullptr, nullptr, 0) == 0.0f);
}

TEST_CASE_TEMPLATE("max is exact, propagates NaN, and is -inf when empty", A, TEST_ARCHS) {
    for (std::size_t n : test_lengths()) {
        auto x = uniform(n, -100.0f, 100.0f, std::uint32_t(n));
        for (bool aligned : {true, false}) {
            guarded<float> g(n, aligned);
            g.fill(x);
            REQUIRE(simd::max<A>(g.data(), n) == *std::max_element(x.begin(), x.end()));
        }
        for (std::size_t pos : {std::size_t(0), n / 2, n - 1}) {
            auto y = x;
            y[pos] = qnan;
            REQUIRE(std::isnan(simd::max<A>(y.data(), n)));
            y[pos] = inf;
            REQUIRE(simd::max<A>(y.data(), n) == inf);
        }
        std::vector<float> all_ninf(n, -inf);
        REQUIRE(simd::max<A>(all_ninf.data(), n) == -inf);
    }
    CHECK(simd::max<A>(nullptr, 0) == -inf);
}

TEST_CASE_TEMPLATE("axpy within eps·(|a·x| + |y|); scale, add, mul bit-exact vs reference", A, TEST_ARCHS) {
    const float a = 0.75f;
    for (std::size_t n : test_lengths()) {
        auto x = uniform(n, -10.0f, 10.0f, std::uint32_t(n)), y = uniform(n, -10.0f, 10.0f, std::uint32_t(3 * n));
        if (n > 4) x[1] = qnan, y[2] = inf, x[3] = -0.0f;
        auto got = run_both(n, {x, y}, [&](float* out, auto& in) {
            std::copy(in[1].data(), in[1].data() + n, out);
            simd::axpy<A>(out, a, in[0].data(), n);
        });
        for (std::size_t i = 0; i < n; ++i) {
            const double ref = double(y[i]) + double(a) * x[i];
            if (!std::isfinite(ref)) REQUIRE(same(got[i], float(ref)));
            else REQUIRE(std::fabs(got[i] - ref) <= 2 * u * (std::fabs(a * double(x[i])) + std::fabs(y[i])));
        }
        // One IEEE operation per element: identical to the scalar loop.
        std::vector<float> want(n);
        got = run_both(n, {x}, [&](float* out, auto& in) {
            std::copy(in[0].data(), in[0].data() + n, out);
            simd::scale<A>(out, a, n);
        });
        want = x;
        simd::reference::scale(want.data(), a, n);
        for (std::size_t i = 0; i < n; ++i) REQUIRE(same(got[i], want[i]));
        got = run_both(n, {x, y}, [&](float* out, auto& in) { simd::add<A>(out, in[0].data(), in[1].data(), n); });
        simd::reference::add(want.data(), x.data(), y.data(), n);
        for (std::size_t i = 0; i < n; ++i) REQUIRE(same(got[i], want[i]));
        got = run_both(n, {x, y}, [&](float* out, auto& in) { simd::mul<A>(out, in[0].data(), in[1].data(), n); });
        simd::reference::mul(want.data(), x.data(), y.data(), n);
        for (std::size_t i = 0; i < n; ++i) REQUIRE(same(got[i], want[i]));
        simd::reference::add(want.data(), x.data(), y.data(), n);
        simd::add<A>(x.data(), x.data(), y.data(), n);  // out aliases an input
        for (std::size_t i = 0; i < n; ++i) REQUIRE(same(x[i], want[i]));
    }
}

// exp, tanh, erf: <= 4 ulp vs the double-precision std:: function (exp also over the
// inputs whose results are subnormal or overflow); zeros keep their sign.
TEST_CASE_TEMPLATE("exp, tanh, erf within 4 ulp of double", A, TEST_ARCHS) {
    const std::vector<float> specials = {0.0f, -0.0f, inf, -inf, qnan, 1e-40f, -1e-40f, 88.72f, 88.73f, -103.9f,
                                         -87.5f, 1e30f, -1e30f, 1e-8f, -1e-8f};
    const auto none = [](double) { return 0.0; };
    check_unary([](float* o, const float* i, std::size_t n) { simd::exp<A>(o, i, n); },
                [](double x) { return std::exp(x); }, none, -104.0f, 89.0f, 4, 0, 0, specials);
    check_unary([](float* o, const float* i, std::size_t n) { simd::tanh<A>(o, i, n); },
                [](double x) { return std::tanh(x); }, none, -10.0f, 10.0f, 4, 0, 0, specials);
    check_unary([](float* o, const float* i, std::size_t n) { simd::erf<A>(o, i, n); },
                [](double x) { return std::erf(x); }, none, -5.0f, 5.0f, 4, 0, 0, specials);
    const float zeros[2] = {0.0f, -0.0f};
    float out[2];
    for (auto fn : {simd::tanh<A>, simd::erf<A>}) {
        fn(out, zeros, 2);
        CHECK((bits(out[0]) == 0 && bits(out[1]) == 0x80000000u));
    }
}

// GELU (both forms) and SiLU: <= 8 ulp plus the error inherited from rounding x inside
// the formula (4·u·|x·f'(x)|), and results below 1e-30 in magnitude may flush to zero.
TEST_CASE_TEMPLATE("gelu_erf, gelu_tanh, silu vs double", A, TEST_ARCHS) {
    const std::vector<float> specials = {0.0f, -0.0f, inf, qnan, 1e-40f, -1e-40f, 1e30f, -1e30f, -30.0f, 30.0f};
    check_unary([](float* o, const float* i, std::size_t n) { simd::gelu_erf<A>(o, i, n); },
                [](double x) { return x * phi(x); }, gelu_erf_slope, -12.0f, 12.0f,
                8, 4, 1e-30, specials);
    check_unary(
        [](float* o, const float* i, std::size_t n) { simd::gelu_tanh<A>(o, i, n); },
        // The oracle uses x·σ(2u), equal to 0.5·x·(1 + tanh(u)) but free of its cancellation.
        [](double x) { return std::isinf(x) ? x : x * sigmoid(2 * k_gelu * (x + 0.044715 * x * x * x)); },
        [](double x) {
            const double s = sigmoid(2 * k_gelu * (x + 0.044715 * x * x * x));
            return s + x * s * (1 - s) * 2 * k_gelu * (1 + 3 * 0.044715 * x * x);
        },
        -12.0f, 12.0f, 8, 4, 1e-30, specials);
    check_unary([](float* o, const float* i, std::size_t n) { simd::silu<A>(o, i, n); },
                [](double x) { return x * sigmoid(x); },
                [](double x) { return sigmoid(x) * (1 + x * (1 - sigmoid(x))); }, -20.0f, 20.0f, 8, 4, 1e-30,
                specials);
    // -inf: the formulas give -inf·0 = NaN, the same as the reference.
    const float m = -inf;
    float o = 0;
    simd::silu<A>(&o, &m, 1);
    CHECK(std::isnan(o));
}

// exp_kernel::eval_normal (one scaling, no clamp: GELU's tail uses it) gives eval's bits
// wherever the result is a normal float.
TEST_CASE_TEMPLATE("exp eval_normal equals eval on [-87, 88]", A, TEST_ARCHS) {
    if constexpr (simd::is_vector_arch<A>) {
        using B = xsimd::batch<float, A>;
        alignas(64) float in[B::size], a[B::size], b[B::size];
        std::mt19937 rng(11);
        std::uniform_real_distribution<float> d(-87.0f, 88.0f);
        for (int rep = 0; rep < 20000; ++rep) {
            for (auto& v : in) v = d(rng);
            if (rep == 0) in[0] = -87.0f, in[B::size - 1] = 88.0f;
            simd::exp_kernel<A>::eval(B::load_aligned(in)).store_aligned(a);
            simd::exp_kernel<A>::eval_normal(B::load_aligned(in)).store_aligned(b);
            for (std::size_t i = 0; i < B::size; ++i) {
                INFO("x = " << in[i]);
                REQUIRE(bits(a[i]) == bits(b[i]));
            }
        }
    }
}

// gelu_erf over a dense sweep (every 256th float of [-14, 14]: 8.5 million inputs) with the
// tolerance above. Its kernel is a fitted tail formula (simd/math.hpp), not a library erfc,
// so the sampled test above is not enough: this one sees every binade and both tails.
TEST_CASE_TEMPLATE("gelu_erf: dense sweep of [-14, 14] within 8 ulp plus the inherited error", A, TEST_ARCHS) {
    constexpr std::uint32_t step = 256;
    std::vector<float> x;
    for (std::uint32_t b = 0;; b += step) {
        float f;
        std::memcpy(&f, &b, sizeof f);
        if (f > 14.0f) break;
        x.push_back(f);
        x.push_back(-f);
    }
    std::vector<float> got(x.size());
    simd::gelu_erf<A>(got.data(), x.data(), x.size());
    double worst = 0, worst_central = 0;
    float worst_x = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double xi = x[i], ref = xi * phi(xi);
        const double tol = 8 + (4 * u * std::fabs(xi * gelu_erf_slope(xi)) + 1e-30) / ulp_at(ref);
        const double e = ulps(got[i], ref);
        if (e > tol) {
            INFO("x = " << x[i] << " got " << got[i] << " want " << ref << " (" << e << " ulp, tolerance " << tol << ")");
            REQUIRE(e <= tol);
        }
        if (e / tol > worst) worst = e / tol, worst_x = x[i];
        if (std::fabs(xi) <= 3 && std::fabs(ref) >= 1e-30) worst_central = std::max(worst_central, e);
    }
    MESSAGE(std::string(simd_level<A>()) << ": " << x.size() << " inputs, worst error/tolerance " << worst << " at x = " << worst_x
                            << ", worst error for |x| <= 3: " << worst_central << " ulp");
}

// Rows are normalised by a float sum whose rounding error grows like sqrt(n)·u (a random
// walk over the additions; n·u is the worst case) and scales every output alike.
double norm_tolerance(std::size_t n) { return 1e-12 + double(n) * u * u; }

// softmax: NMSE <= 1e-12 + n·u² vs double and Σ out within 2·n·u of 1, for inputs of moderate
// and of huge magnitude (no overflow: the max is subtracted first); masked (-inf) entries
// get weight exactly 0; a row with +inf or only -inf is NaN, as in the reference.
TEST_CASE_TEMPLATE("softmax is stable and accurate", A, TEST_ARCHS) {
    for (float range : {10.0f, 1e4f}) {
        for (std::size_t n : test_lengths()) {
            auto x = uniform(n, -range, range, std::uint32_t(n));
            if (n > 3) x[n / 3] = -inf;
            auto got = run_both(n, {x}, [&](float* out, auto& in) { simd::softmax<A>(out, in[0].data(), n); });
            const double m = *std::max_element(x.begin(), x.end());
            std::vector<double> ref(n);
            double s = 0, total = 0;
            for (std::size_t i = 0; i < n; ++i) s += ref[i] = std::exp(double(x[i]) - m);
            for (std::size_t i = 0; i < n; ++i) ref[i] /= s, total += got[i];
            INFO("n = " << n << " range " << range);
            REQUIRE(nmse(got, ref) <= norm_tolerance(n));
            REQUIRE(std::fabs(total - 1.0) <= 2 * double(n) * u + 1e-6);
            if (n > 3) REQUIRE(bits(got[n / 3]) == 0);
            std::vector<float> inplace = x;
            simd::softmax<A>(inplace.data(), inplace.data(), n);
            for (std::size_t i = 0; i < n; ++i) REQUIRE(same(inplace[i], got[i]));
        }
    }
    for (const std::vector<float>& row : {std::vector<float>{1, inf, 2}, std::vector<float>{-inf, -inf, -inf}}) {
        std::vector<float> got(3), want(3);
        simd::softmax<A>(got.data(), row.data(), 3);
        simd::reference::softmax(want.data(), row.data(), 3);
        for (int i = 0; i < 3; ++i) CHECK((std::isnan(got[i]) && std::isnan(want[i])));
    }
}

// LayerNorm and RMSNorm: NMSE <= 1e-12 + n·u² vs double (the inputs have |mean| ~ 2.6σ,
// which amplifies the error of the float mean by that factor).
TEST_CASE_TEMPLATE("layernorm and rmsnorm vs double, with and without gamma/beta", A, TEST_ARCHS) {
    const float eps = 1e-5f;
    for (std::size_t n : test_lengths()) {
        auto x = uniform(n, 1.0f, 5.0f, std::uint32_t(n));
        const auto gamma = uniform(n, 0.5f, 1.5f, 11u * std::uint32_t(n)), beta = uniform(n, -1.0f, 1.0f, 13u * std::uint32_t(n));
        double mean = 0, var = 0, ms = 0;
        for (float v : x) mean += v, ms += double(v) * v;
        mean /= double(n);
        for (float v : x) var += (v - mean) * (v - mean);
        const double rstd = 1 / std::sqrt(var / double(n) + eps), rrms = 1 / std::sqrt(ms / double(n) + eps);
        for (int mode = 0; mode < 4; ++mode) {
            const bool use_g = mode & 1, use_b = mode & 2;
            auto got = run_both(n, {x, gamma, beta}, [&](float* out, auto& in) {
                simd::layernorm<A>(out, in[0].data(), use_g ? in[1].data() : nullptr, use_b ? in[2].data() : nullptr, n, eps);
            });
            std::vector<double> ref(n);
            for (std::size_t i = 0; i < n; ++i)
                ref[i] = (x[i] - mean) * rstd * (use_g ? gamma[i] : 1.0) + (use_b ? beta[i] : 0.0);
            INFO("layernorm n = " << n << " mode " << mode);
            REQUIRE(nmse(got, ref) <= norm_tolerance(n));
            got = run_both(n, {x, gamma}, [&](float* out, auto& in) {
                simd::rmsnorm<A>(out, in[0].data(), use_g ? in[1].data() : nullptr, n, eps);
            });
            for (std::size_t i = 0; i < n; ++i) ref[i] = x[i] * rrms * (use_g ? gamma[i] : 1.0);
            INFO("rmsnorm");
            REQUIRE(nmse(got, ref) <= norm_tolerance(n));
        }
        std::vector<float> inplace = x, out(n);
        simd::layernorm<A>(out.data(), x.data(), gamma.data(), beta.data(), n, eps);
        simd::layernorm<A>(inplace.data(), inplace.data(), gamma.data(), beta.data(), n, eps);
        for (std::size_t i = 0; i < n; ++i) REQUIRE(same(inplace[i], out[i]));
    }
    // A constant row has zero variance: (x − mean) is 0 and the output is beta.
    std::vector<float> c(37, 3.25f), b = uniform(37, -1, 1, 5), o(37);
    simd::layernorm<A>(o.data(), c.data(), nullptr, b.data(), 37, eps);
    for (int i = 0; i < 37; ++i) CHECK(o[i] == b[i]);
}

namespace {

// Float bit patterns that cover every sign and exponent and the rounding boundaries of
// both f16 (13 dropped bits) and bf16 (16 dropped bits): each 16-bit upper half combined
// with low halves at and around the halfway points, plus random patterns.
std::vector<float> conversion_inputs() {
    const std::uint32_t lows[] = {0x0000, 0x0001, 0x0fff, 0x1000, 0x1001, 0x1fff, 0x2000, 0x2fff, 0x3000, 0x3001,
                                  0x7fff, 0x8000, 0x8001, 0xe000, 0xefff, 0xf000, 0xffff};
    std::vector<float> v;
    for (std::uint32_t hi = 0; hi < 65536; ++hi)
        for (std::uint32_t lo : lows) v.push_back(std::bit_cast<float>(hi << 16 | lo));
    std::mt19937 rng(42);
    for (int i = 0; i < 200000; ++i) v.push_back(std::bit_cast<float>(std::uint32_t(rng())));
    return v;
}

template <class H>
std::vector<std::uint16_t> bits_of(const H* h, std::size_t n) {
    std::vector<std::uint16_t> b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = h[i].bits;
    return b;
}

}  // namespace

// Conversions are exact: the same bits as the scalar core/dtype.hpp functions for every
// input checked (all 65536 f16/bf16 patterns; ~1.3M f32 patterns covering every exponent
// and rounding boundary, subnormals, inf and NaN payloads). Over all 2^32 floats the
// vcvtps2ph path and the integer paths (avx512bw and sse2) were also checked once by hand.
TEST_CASE_TEMPLATE("f16 and bf16 conversions match the scalar ones bit for bit", A, TEST_ARCHS) {
    const auto f = conversion_inputs();
    const std::size_t n = f.size();
    std::vector<f16> h(n), h_ref(n);
    std::vector<bf16> b(n), b_ref(n);
    simd::f32_to_f16<A>(h.data(), f.data(), n);
    simd::reference::f32_to_f16(h_ref.data(), f.data(), n);
    CHECK(bits_of(h.data(), n) == bits_of(h_ref.data(), n));
    simd::f32_to_bf16<A>(b.data(), f.data(), n);
    simd::reference::f32_to_bf16(b_ref.data(), f.data(), n);
    CHECK(bits_of(b.data(), n) == bits_of(b_ref.data(), n));
    if constexpr (simd::is_vector_arch<A>) {  // the portable path, also where F16C exists
        std::fill(h.begin(), h.end(), f16{});
        simd::f32_to_f16_kernel<A>::convert_generic(h.data(), f.data(), n);
        CHECK(bits_of(h.data(), n) == bits_of(h_ref.data(), n));
    }

    std::vector<f16> all_h(65536);
    std::vector<bf16> all_b(65536);
    for (std::uint32_t i = 0; i < 65536; ++i) all_h[i].bits = all_b[i].bits = std::uint16_t(i);
    std::vector<float> out(65536), want(65536);
    auto as_bits = [](const std::vector<float>& v) {
        std::vector<std::uint32_t> r(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) r[i] = bits(v[i]);
        return r;
    };
    simd::f16_to_f32<A>(out.data(), all_h.data(), 65536);
    simd::reference::f16_to_f32(want.data(), all_h.data(), 65536);
    CHECK(as_bits(out) == as_bits(want));  // bitwise, NaN payloads (signalling ones too) included
    simd::bf16_to_f32<A>(out.data(), all_b.data(), 65536);
    simd::reference::bf16_to_f32(want.data(), all_b.data(), 65536);
    CHECK(as_bits(out) == as_bits(want));

    // Every length and both alignments, with guards around each output.
    for (std::size_t len : test_lengths()) {
        for (bool aligned : {true, false}) {
            const std::size_t start = (len * 7919) % (n - len);
            guarded<float> src(len, aligned), back(len, aligned), back_b(len, aligned);
            src.fill(std::vector<float>(f.begin() + long(start), f.begin() + long(start + len)));
            guarded<f16> gh(len, aligned);
            guarded<bf16> gb(len, aligned);
            simd::f32_to_f16<A>(gh.data(), src.data(), len);
            simd::f32_to_bf16<A>(gb.data(), src.data(), len);
            simd::f16_to_f32<A>(back.data(), gh.data(), len);
            simd::bf16_to_f32<A>(back_b.data(), gb.data(), len);
            REQUIRE((gh.guards_intact() && gb.guards_intact() && back.guards_intact() && back_b.guards_intact()));
            for (std::size_t i = 0; i < len; ++i) {
                REQUIRE(gh[i].bits == to_f16(src[i]).bits);
                REQUIRE(gb[i].bits == to_bf16(src[i]).bits);
                REQUIRE(bits(back[i]) == bits(to_f32(gh[i])));
                REQUIRE(bits(back_b[i]) == bits(to_f32(gb[i])));
            }
        }
    }
}
