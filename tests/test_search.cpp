#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "tessera/search/semantic_search.hpp"
#include "tessera/search/similarity.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/search/int8_codes.hpp"
#include "tessera/search/topk.hpp"

using namespace tessera;
using namespace tessera::search;

namespace {

// Random [n, d] matrix; with `levels` > 0 the values are small integers (many exact ties),
// and every 7th row repeats an earlier one (duplicate products).
tensor<float> random_matrix(std::size_t n, std::size_t d, std::uint32_t seed, int levels = 0) {
    tensor<float> m(shape{n, d});
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::uniform_int_distribution<int> u(-levels, levels);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < d; ++j) m(i, j) = levels > 0 ? float(u(rng)) : g(rng);
    if (levels > 0)
        for (std::size_t i = 7; i < n; i += 7)
            for (std::size_t j = 0; j < d; ++j) m(i, j) = m(i / 3, j);
    return m;
}

// The definition: every allowed row scored alone, all sorted by the total order.
std::vector<hit> brute_force(const float* q, const tensor<float>& x, std::size_t k, metric kind,
                             const row_mask* mask = nullptr) {
    const std::size_t n = x.extent(0), d = x.extent(1);
    const float qn = norm(q, d);
    std::vector<hit> all;
    for (std::size_t i = 0; i < n; ++i)
        if (!mask || mask->test(i)) all.push_back({i, score(kind, q, x.data() + i * d, d, qn)});
    std::sort(all.begin(), all.end(), [](const hit& a, const hit& b) { return ranks_before(a, b); });
    all.resize(std::min(k, all.size()));
    return all;
}

double score_double(metric kind, const float* q, const float* x, std::size_t d) {
    double dot = 0, qq = 0, xx = 0, l2 = 0;
    for (std::size_t i = 0; i < d; ++i) {
        dot += double(q[i]) * x[i];
        qq += double(q[i]) * q[i];
        xx += double(x[i]) * x[i];
        l2 += (double(x[i]) - q[i]) * (double(x[i]) - q[i]);
    }
    if (kind == metric::dot) return dot;
    if (kind == metric::l2) return -l2;
    return qq == 0 || xx == 0 ? 0.0 : dot / std::sqrt(qq * xx);
}

const metric all_metrics[] = {metric::cosine, metric::dot, metric::l2};

}  // namespace

TEST_CASE("similarity kernels agree with double precision for every length") {
    std::mt19937 rng(3);
    std::normal_distribution<float> g;
    for (std::size_t d : {1u, 3u, 15u, 16u, 17u, 31u, 32u, 33u, 64u, 100u, 384u}) {
        std::vector<float> q(d), x(d);
        for (auto& v : q) v = g(rng);
        for (auto& v : x) v = g(rng);
        for (metric kind : all_metrics) {
            const float s = score(kind, q.data(), x.data(), d, norm(q.data(), d));
            const double ref = score_double(kind, q.data(), x.data(), d);
            double mag = 0;
            for (std::size_t i = 0; i < d; ++i) mag += std::abs(double(q[i]) * x[i]) + double(q[i]) * q[i] + double(x[i]) * x[i];
            CHECK(std::abs(s - ref) <= 1e-6 * (mag + 1));
        }
        // The R-row kernel gives each row the bits the one-row kernel gives it.
        std::vector<float> rows4(4 * d);
        for (auto& v : rows4) v = g(rng);
        const float* rp[4] = {rows4.data(), rows4.data() + d, rows4.data() + 2 * d, rows4.data() + 3 * d};
        float s4[4];
        score_rows<simd::default_arch, metric::cosine, 4>(q.data(), rp, d, norm(q.data(), d), s4);
        for (int r = 0; r < 4; ++r) CHECK(s4[r] == score(metric::cosine, q.data(), rp[r], d, norm(q.data(), d)));
    }
    std::vector<float> a = {3, 4}, b = {4, 3}, z = {0, 0};
    CHECK(cosine_similarity(a, b) == doctest::Approx(24.0 / 25.0));
    CHECK(dot_product(a, b) == 24.0f);
    CHECK(l2_squared(a, b) == 2.0f);
    CHECK(cosine_similarity(a, z) == 0.0f);
    normalize(std::span<float>(a));
    CHECK(a[0] == doctest::Approx(0.6));
    CHECK_THROWS_AS(cosine_similarity(a, std::vector<float>{1, 2, 3}), error);
}

TEST_CASE("exact top-k equals the brute-force ranking, ties broken by id") {
    for (int levels : {0, 1, 2}) {
        for (std::size_t d : {5u, 16u, 48u}) {
            const auto x = random_matrix(1000, d, 11 + levels, levels);
            const auto qs = random_matrix(20, d, 99 + levels, levels);
            for (metric kind : all_metrics) {
                for (std::size_t k : {1u, 10u, 57u}) {
                    for (std::size_t i = 0; i < qs.extent(0); ++i) {
                        const float* q = qs.data() + i * d;
                        const auto got = exact_top_k(std::span<const float>(q, d), x.view(), k, {.kind = kind});
                        CHECK(got == brute_force(q, x, k, kind));
                    }
                }
            }
        }
    }
}

TEST_CASE("batched (GEMM) results are bitwise the single-query results, for 1, 2 and 3 threads" * doctest::test_suite("concurrency")) {
    thread_pool p2(2), p3(3);
    thread_pool* pools[] = {nullptr, &p2, &p3};
    for (int levels : {0, 1}) {
        const std::size_t d = 40;
        const auto x = random_matrix(3001, d, 5 + levels, levels);
        const auto qs = random_matrix(33, d, 6 + levels, levels);
        row_mask mask(x.extent(0));
        for (std::size_t i = 0; i < x.extent(0); i += 3) mask.set(i);
        for (metric kind : all_metrics) {
            for (const row_mask* m : {(const row_mask*)nullptr, (const row_mask*)&mask}) {
                std::vector<std::vector<hit>> single;
                for (std::size_t i = 0; i < qs.extent(0); ++i)
                    single.push_back(exact_top_k(std::span<const float>(qs.data() + i * d, d), x.view(), 10,
                                                 {.kind = kind, .mask = m}));
                for (std::size_t i = 0; i < qs.extent(0); ++i) CHECK(single[i] == brute_force(qs.data() + i * d, x, 10, kind, m));
                for (thread_pool* pool : pools) {
                    // Small blocks so many blocks and tasks take part.
                    const auto batched = exact_top_k_batch(qs.view(), x.view(), 10,
                                                           {.kind = kind, .pool = pool, .mask = m, .block_rows = 128});
                    CHECK(batched == single);
                    for (std::size_t i = 0; i < qs.extent(0); ++i) {
                        const auto one = exact_top_k(std::span<const float>(qs.data() + i * d, d), x.view(), 10,
                                                     {.kind = kind, .pool = pool, .mask = m});
                        CHECK(one == single[i]);
                    }
                }
            }
        }
    }
}

TEST_CASE("semantic_search: shape, k edge cases, NaN and zero queries") {
    const auto x = random_matrix(50, 8, 1);
    const auto qs = random_matrix(3, 8, 2);
    auto res = semantic_search(qs.view(), x.view(), 5);
    const int8_codes codes = int8_codes::build(x.view());
    CHECK(semantic_search(qs.view(), x.view(), 5, {.codes = &codes}) == res);
    REQUIRE(res.size() == 3);
    for (const auto& r : res) {
        REQUIRE(r.size() == 5);
        for (std::size_t j = 1; j < r.size(); ++j) CHECK(r[j - 1].score >= r[j].score);
    }
    CHECK(semantic_search(qs.view(), x.view(), 0)[0].empty());              // k = 0
    auto all = semantic_search(qs.view(), x.view(), 500);                   // k > n
    CHECK(all[1].size() == 50);
    CHECK(all[1] == brute_force(qs.data() + 8, x, 50, metric::cosine));
    tensor<float> empty(shape{0, 8});
    CHECK(semantic_search(qs.view(), empty.view(), 5)[2].empty());          // empty corpus
    row_mask none(50);
    CHECK(semantic_search(qs.view(), x.view(), 5, {.mask = &none})[0].empty());  // filter matches nothing

    // Zero query under cosine: every score 0, ids ascending (documented policy).
    std::vector<float> zero(8, 0.0f);
    auto z = exact_top_k(zero, x.view(), 4);
    REQUIRE(z.size() == 4);
    for (std::size_t j = 0; j < 4; ++j) CHECK((z[j].corpus_id == j && z[j].score == 0.0f));
    // The same through the GEMM path (a batch of 9 with a zero row): scores 0, ids ascending.
    auto q9 = random_matrix(9, 8, 21);
    for (std::size_t j = 0; j < 8; ++j) q9(4, j) = 0.0f;
    const auto b9 = exact_top_k_batch(q9.view(), x.view(), 4, {.block_rows = 16});
    CHECK(b9[4] == z);
    // NaN or infinite query: invalid_argument.
    std::vector<float> bad(8, 0.5f);
    bad[3] = std::numeric_limits<float>::quiet_NaN();
    try {
        exact_top_k(bad, x.view(), 4);
        FAIL("NaN query accepted");
    } catch (const error& e) {
        CHECK(e.kind() == error_kind::invalid_argument);
    }
    bad[3] = std::numeric_limits<float>::infinity();
    CHECK_THROWS_AS(exact_top_k(bad, x.view(), 4), error);
    // Wrong dimension, wrong mask size.
    CHECK_THROWS_AS(exact_top_k(std::vector<float>(7, 1.0f), x.view(), 4), error);
    row_mask short_mask(10, true);
    CHECK_THROWS_AS(exact_top_k(std::vector<float>(8, 1.0f), x.view(), 4, {.mask = &short_mask}), error);
}

TEST_CASE("corpus rows holding NaN rank last; batched agrees") {
    auto x = random_matrix(300, 16, 4);
    for (std::size_t i = 0; i < 300; i += 17) x(i, 5) = std::numeric_limits<float>::quiet_NaN();
    x(40, 2) = std::numeric_limits<float>::infinity();
    const auto qs = random_matrix(9, 16, 8);
    for (metric kind : all_metrics) {
        const auto batched = exact_top_k_batch(qs.view(), x.view(), 300, {.kind = kind, .block_rows = 64});
        for (std::size_t i = 0; i < 9; ++i) {
            const float* q = qs.data() + i * 16;
            const auto one = exact_top_k(std::span<const float>(q, 16), x.view(), 300, {.kind = kind});
            CHECK(one.size() == 300);
            CHECK(std::isnan(one.back().score));
            // Compare with NaN-aware equality (NaN != NaN under ==).
            const auto ref = brute_force(q, x, 300, kind);
            REQUIRE(batched[i].size() == ref.size());
            for (std::size_t j = 0; j < ref.size(); ++j) {
                CHECK(one[j].corpus_id == ref[j].corpus_id);
                CHECK(batched[i][j].corpus_id == ref[j].corpus_id);
            }
        }
    }
}

namespace {

// Same ids and the same score bits (NaN-aware).
bool same_hits(const std::vector<hit>& a, const std::vector<hit>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].corpus_id != b[i].corpus_id || std::memcmp(&a[i].score, &b[i].score, sizeof(float)) != 0) return false;
    return true;
}

// Row r's codes, read back out of the panel layout.
std::vector<int> decode_codes(const int8_codes& c, std::size_t r) {
    std::vector<int> out(c.dim());
    const std::int8_t* panel = c.panel(r / 16);
    for (std::size_t j = 0; j < c.dim(); ++j) out[j] = panel[((j / 4) * 16 + r % 16) * 4 + j % 4];
    return out;
}

// Corpora that stress the bounds: gaussian, small integers (ties and duplicate rows),
// near-duplicates (every interval overlaps: many candidates), and rows of extreme scale
// (zero, tiny, huge, NaN, infinite) that the codes must hand to the exact rescoring.
tensor<float> stress_corpus(std::size_t n, std::size_t d, int kind, std::uint32_t seed) {
    if (kind == 0) return random_matrix(n, d, seed);
    if (kind == 1) return random_matrix(n, d, seed, 2);
    tensor<float> x = random_matrix(n, d, seed);
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    if (kind == 2) {
        const auto base = random_matrix(1, d, seed + 1);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < d; ++j) x(i, j) = base(0, j) + 1e-4f * g(rng);
        return x;
    }
    for (std::size_t i = 0; i < n; ++i) {
        const float f = i % 11 == 0 ? 0.0f : i % 11 == 1 ? 1e-30f : i % 11 == 2 ? 1e30f : i % 11 == 3 ? 1e-13f : 1.0f;
        for (std::size_t j = 0; j < d; ++j) x(i, j) *= f;
    }
    if (n > 40) {
        x(37, d / 2) = std::numeric_limits<float>::quiet_NaN();
        x(40, 0) = std::numeric_limits<float>::infinity();
    }
    return x;
}

}  // namespace

TEST_CASE("int8 codes: the error bounds hold, and every kernel gives the reference sums") {
    std::mt19937 rng(17);
    std::normal_distribution<float> g(0.0f, 1.0f);
    for (std::size_t d : {1u, 3u, 4u, 5u, 17u, 64u, 383u, 384u, 385u}) {
        for (std::size_t n : {1u, 15u, 16u, 17u, 40u}) {
            tensor<float> x(shape{n, d});
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j < d; ++j) x(i, j) = g(rng) * (i % 3 == 0 ? 1e-3f : 1.0f);
            const int8_codes c = int8_codes::build(x.view());
            REQUIRE(c.rows() == n);
            REQUIRE(c.panels() == (n + 15) / 16);
            for (std::size_t i = 0; i < n; ++i) {
                const auto code = decode_codes(c, i);
                long double esq = 0, hsq = 0;
                long sum = 0;
                for (std::size_t j = 0; j < d; ++j) {
                    CHECK(std::abs(code[j]) <= 127);
                    const long double xh = (long double)c.scale()[i] * code[j];
                    esq += ((long double)x(i, j) - xh) * ((long double)x(i, j) - xh);
                    hsq += xh * xh;
                    sum += code[j];
                }
                CHECK(std::sqrt(esq) <= (long double)c.err()[i]);
                CHECK(std::sqrt(hsq) <= (long double)c.hnorm()[i]);
                CHECK(-128 * sum == c.bias()[i]);
            }
            // A query's codes, at an odd address; ε_q bounds its error.
            std::vector<float> q(d);
            for (auto& v : q) v = g(rng);
            std::vector<std::uint8_t> ubuf(c.groups() * 4 + 1);
            std::uint8_t* u = ubuf.data() + 1;
            const auto qs = c.quantize_query(q, u);
            REQUIRE(qs.ok);
            long double qe = 0;
            for (std::size_t j = 0; j < d; ++j) {
                const long double qh = (long double)qs.scale * (int(u[j]) - 128);
                qe += ((long double)q[j] - qh) * ((long double)q[j] - qh);
            }
            CHECK(std::sqrt(qe) <= (long double)qs.eps);
            for (std::size_t j = d; j < c.groups() * 4; ++j) CHECK(u[j] == 128);
            // Reference kernel = the definition; the VNNI kernels = the reference.
            for (std::size_t p = 0; p < c.panels(); ++p) {
                std::int32_t ref[16];
                int8_kernels::panel_dots_reference(u, c.panel(p), c.groups(), c.bias() + 16 * p, ref);
                for (std::size_t r = 0; r < 16 && p * 16 + r < n; ++r) {
                    const auto code = decode_codes(c, p * 16 + r);
                    long want = 0;
                    for (std::size_t j = 0; j < d; ++j) want += long(int(u[j]) - 128) * code[j];
                    CHECK(ref[r] == want);
                }
#if TESSERA_INT8_VNNI
                std::int32_t got[16];
                int8_kernels::panel_dots_vnni(u, c.panel(p), c.groups(), c.bias() + 16 * p, got);
                CHECK(std::equal(got, got + 16, ref));
#endif
            }
#if TESSERA_INT8_VNNI
            // The batch kernel: 12 and 5 queries (distinct codes), one and two panels.
            std::vector<std::vector<std::uint8_t>> qcodes(12, std::vector<std::uint8_t>(c.groups() * 4));
            const std::uint8_t* us[12];
            for (std::size_t j = 0; j < 12; ++j) {
                for (auto& v : q) v = g(rng);
                c.quantize_query(q, qcodes[j].data());
                us[j] = qcodes[j].data();
            }
            std::int32_t out[12 * 32];
            for (std::size_t p = 0; p < c.panels(); ++p) {
                const bool two = p + 1 < c.panels();
                if (two) int8_kernels::panel_dots_vnni_batch<12, 2>(us, c.panel(p), c.groups(), c.bias() + 16 * p, out);
                else int8_kernels::panel_dots_vnni_batch<12, 1>(us, c.panel(p), c.groups(), c.bias() + 16 * p, out);
                for (std::size_t j = 0; j < 12; ++j)
                    for (std::size_t pp = 0; pp < (two ? 2u : 1u); ++pp) {
                        std::int32_t ref[16];
                        int8_kernels::panel_dots_reference(us[j], c.panel(p + pp), c.groups(), c.bias() + 16 * (p + pp), ref);
                        CHECK(std::equal(ref, ref + 16, out + j * 32 + pp * 16));
                    }
                int8_kernels::panel_dots_vnni_batch<5, 1>(us, c.panel(p), c.groups(), c.bias() + 16 * p, out);
                for (std::size_t j = 0; j < 5; ++j) {
                    std::int32_t ref[16];
                    int8_kernels::panel_dots_reference(us[j], c.panel(p), c.groups(), c.bias() + 16 * p, ref);
                    CHECK(std::equal(ref, ref + 16, out + j * 32));
                }
            }
#endif
        }
    }
    // Rows the bound cannot serve get an infinite error; queries outside the range say so.
    tensor<float> odd(shape{4, 8});
    for (std::size_t j = 0; j < 8; ++j) {
        odd(0, j) = 0.0f;
        odd(1, j) = 1e-20f;
        odd(2, j) = 1e20f;
        odd(3, j) = j == 3 ? std::numeric_limits<float>::quiet_NaN() : 1.0f;
    }
    const int8_codes oc = int8_codes::build(odd.view());
    CHECK(oc.err()[0] == 0.0f);
    for (std::size_t i = 1; i < 4; ++i) CHECK(std::isinf(oc.err()[i]));
    std::uint8_t u8[8];
    CHECK(!oc.quantize_query(std::vector<float>(8, 0.0f), u8).ok);
    CHECK(!oc.quantize_query(std::vector<float>(8, 1e-20f), u8).ok);
    CHECK(oc.quantize_query(std::vector<float>(8, 0.5f), u8).ok);
    CHECK_THROWS_AS(int8_codes(0), error);
}

TEST_CASE("exact search over int8 codes returns the f32 hits bit for bit, for 1, 2 and 3 threads" * doctest::test_suite("concurrency")) {
    thread_pool p2(2), p3(3);
    thread_pool* pools[] = {nullptr, &p2, &p3};
    std::size_t candidates_checked = 0;
    for (int kind_of_data : {0, 1, 2, 3}) {
        for (std::size_t d : {7u, 64u}) {
            const std::size_t n = kind_of_data == 2 ? 3000 : 1237;
            const auto x = stress_corpus(n, d, kind_of_data, 31 + std::uint32_t(d));
            const auto qs = kind_of_data == 1 ? random_matrix(13, d, 77, 2) : random_matrix(13, d, 77);
            const int8_codes codes = int8_codes::build(x.view());
            row_mask every3(n), panels_out(n);
            for (std::size_t i = 0; i < n; i += 3) every3.set(i);
            for (std::size_t i = 0; i < n; ++i)
                if ((i / 16) % 3 != 1) panels_out.set(i);  // whole panels excluded
            for (metric kind : all_metrics) {
                for (const row_mask* m : {(const row_mask*)nullptr, (const row_mask*)&every3, (const row_mask*)&panels_out}) {
                    for (std::size_t k : {1u, 10u, 57u}) {
                        std::vector<std::vector<hit>> truth;
                        for (std::size_t i = 0; i < qs.extent(0); ++i) {
                            truth.push_back(brute_force(qs.data() + i * d, x, k, kind, m));
                            const std::span<const float> q(qs.data() + i * d, d);
                            CHECK(same_hits(exact_top_k(q, x.view(), k, {.kind = kind, .mask = m, .codes = &codes}), truth[i]));
                            CHECK(same_hits(exact_top_k<simd::scalar_arch>(q, x.view(), k, {.kind = kind, .mask = m, .codes = &codes}),
                                            exact_top_k<simd::scalar_arch>(q, x.view(), k, {.kind = kind, .mask = m})));
                            ++candidates_checked;
                        }
                        for (thread_pool* pool : pools) {
                            const auto batched = exact_top_k_batch(qs.view(), x.view(), k,
                                                                   {.kind = kind, .pool = pool, .mask = m, .codes = &codes});
                            REQUIRE(batched.size() == truth.size());
                            for (std::size_t i = 0; i < truth.size(); ++i) CHECK(same_hits(batched[i], truth[i]));
                            const auto one = exact_top_k(std::span<const float>(qs.data(), d), x.view(), k,
                                                         {.kind = kind, .pool = pool, .mask = m, .codes = &codes});
                            CHECK(same_hits(one, truth[0]));
                        }
                    }
                }
            }
            // k above the number of rows: every row, sorted.
            const auto all = exact_top_k(std::span<const float>(qs.data(), d), x.view(), n + 3, {.kind = metric::dot, .codes = &codes});
            CHECK(same_hits(all, brute_force(qs.data(), x, n + 3, metric::dot)));
        }
    }
    CHECK(candidates_checked > 1000);
    // Codes of another shape are refused.
    const auto x = random_matrix(40, 8, 3);
    const int8_codes short_codes = int8_codes::build(random_matrix(39, 8, 3).view());
    CHECK_THROWS_AS(exact_top_k(std::vector<float>(8, 1.0f), x.view(), 4, {.codes = &short_codes}), error);
    CHECK_THROWS_AS(exact_top_k_batch(x.view(), x.view(), 4, {.codes = &short_codes}), error);
    // Codes of another corpus of the same shape are caught by the spot check.
    const int8_codes other = int8_codes::build(random_matrix(40, 8, 4).view());
    CHECK_THROWS_AS(exact_top_k(std::vector<float>(8, 1.0f), x.view(), 4, {.codes = &other}), error);
    const int8_codes own = int8_codes::build(x.view());
    CHECK(own.row_agrees(5, {x.data() + 5 * 8, 8}));
    CHECK(!own.row_agrees(5, {x.data() + 6 * 8, 8}));
}

// ---------------------------------------------------------------------------------------
// Filters and the catalog
// ---------------------------------------------------------------------------------------
#include "tessera/search/catalog.hpp"
#include "tessera/search/filter.hpp"

#include <cstdio>
#include <fstream>
#include <unistd.h>

namespace {

product make_product(std::size_t i) {
    product p;
    p.id = "sku-" + std::to_string(i);
    p.text = "product " + std::to_string(i);
    p.category = i % 3 == 0 ? "shoes" : (i % 3 == 1 ? "jackets" : "bags");
    p.price = double(i % 500);
    p.stock = std::int64_t(i % 4);
    if (i % 5 == 0) p.tags.insert("waterproof");
    if (i % 2 == 0) p.tags.insert("sale");
    p.attributes["color"] = i % 2 ? "red" : "blue";
    return p;
}

catalog make_catalog(std::size_t n, std::size_t d, metric kind = metric::cosine) {
    catalog c(d, kind);
    const auto e = random_matrix(n, d, 77);
    for (std::size_t i = 0; i < n; ++i) c.add(make_product(i), std::span<const float>(e.data() + i * d, d));
    return c;
}

std::string temp_path(const char* name) {
    return "/tmp/tessera_test_search_" + std::to_string(::getpid()) + "_" + name;
}

std::vector<std::byte> read_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::vector<char> c((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::vector<std::byte> b(c.size());
    std::memcpy(b.data(), c.data(), c.size());
    return b;
}

error_kind kind_of(auto&& fn) {
    try {
        fn();
    } catch (const error& e) {
        return e.kind();
    }
    return error_kind::io;  // "no error" marker: io never comes from parsing bytes
}

}  // namespace

TEST_CASE("filter builder and parser agree") {
    const auto built = filter().category("shoes").price(filter::op::lt, 300).in_stock().has_tag("waterproof");
    const auto parsed = filter::parse("category=shoes AND price<300 and stock>0 AND tag:waterproof");
    std::size_t matches = 0;
    for (std::size_t i = 0; i < 2000; ++i) {
        const auto p = make_product(i);
        const bool want = p.category == "shoes" && p.price < 300 && p.stock > 0 && p.tags.contains("waterproof");
        CHECK(built.matches(p) == want);
        CHECK(parsed.matches(p) == want);
        matches += want;
    }
    CHECK(matches > 0);
    auto f = filter::parse("  price>=10   AND price<=20 AND color!=red AND tag!=sale AND category!=bags AND note=\"two words \\\" q\" ");
    REQUIRE(f.clauses().size() == 6);
    CHECK(f.clauses()[5].text == "two words \" q");
    product p = make_product(13);  // jackets, red, price 13, no tags
    CHECK(!f.matches(p));
    p.attributes["color"] = "green";
    p.attributes["note"] = "two words \" q";
    p.tags.clear();
    CHECK(f.matches(p));
    CHECK(filter::parse("").empty());
    CHECK(filter().price_between(0, 300).matches(make_product(300)));
    CHECK(!filter().price_between(0, 299.5).matches(make_product(300)));
}

TEST_CASE("filter parse errors are malformed and name the column") {
    struct bad_case {
        const char* text;
        const char* column;
    };
    const bad_case cases[] = {
        {"price<abc", "column 7"},        {"category=shoes price<3", "column 16"}, {"category=shoes AND", "column 19"},
        {"=shoes", "column 1"},           {"price 300", "column 7"},               {"category<shoes", "column 9"},
        {"note=\"open", "column 6"},      {"price<nan", "column 7"},               {"size:9", "column 5"},
        {"tag>x", "column 4"},            {"note=\"a\\n\"", "column 8"},          {"price<", "column 7"},
    };
    for (const auto& c : cases) {
        try {
            filter::parse(c.text);
            FAIL("accepted: " << c.text);
        } catch (const error& e) {
            CHECK(e.kind() == error_kind::malformed);
            CHECK_MESSAGE(std::string(e.what()).find(c.column) != std::string::npos, c.text, " -> ", e.what());
        }
    }
}

TEST_CASE("catalog search: filters applied during search return min(k, m) hits") {
    const std::size_t n = 3000, d = 24;
    catalog c = make_catalog(n, d);
    CHECK(c.size() == n);
    CHECK(c.find("sku-42") == std::optional<std::size_t>(42));
    CHECK_THROWS_AS(c.add(make_product(42), std::vector<float>(d, 1.0f)), error);  // duplicate id
    const auto qs = random_matrix(5, d, 12);
    const filter filters[] = {filter(), filter().category("shoes"), filter().category("shoes").has_tag("waterproof"),
                              filter().price_between(0, 3).in_stock(), filter().attribute("color", "red").price(filter::op::eq, 7),
                              filter().category("none")};
    for (int with_index = 0; with_index < 2; ++with_index) {
        if (with_index) c.build_index({.M = 12, .ef_construction = 80});
        for (const filter& f : filters) {
            const row_mask m = c.match(f);
            const std::size_t matching = m.count();
            for (std::size_t i = 0; i < qs.extent(0); ++i) {
                const std::span<const float> q(qs.data() + i * d, d);
                for (std::size_t k : {1u, 10u, 100u}) {
                    const auto hits = c.search(q, k, f);
                    CHECK(hits.size() == std::min(k, matching));
                    for (const hit& h : hits) CHECK(f.matches(c.at(h.corpus_id)));
                    if (!with_index) {
                        // Exact: equals the brute force over matching rows (unit vectors, dot).
                        std::vector<float> qn(q.begin(), q.end());
                        normalize(std::span<float>(qn));
                        tensor<float> e = tensor<float>::from_view(c.embeddings());
                        CHECK(hits == brute_force(qn.data(), e, k, metric::dot, &m));
                    }
                }
            }
        }
    }
}

TEST_CASE("catalog save/load round trip, with and without index") {
    catalog c = make_catalog(500, 16);
    const auto q = random_matrix(1, 16, 5);
    const std::span<const float> qs(q.data(), 16);
    const auto path = temp_path("catalog.idx");
    c.save(path);
    auto back = catalog::load(path);
    CHECK(back.size() == 500);
    CHECK(back.at(17).id == "sku-17");
    CHECK(back.at(17).attributes.at("color") == "red");
    CHECK(back.at(15).tags.contains("waterproof"));
    CHECK(back.search(qs, 10, filter().category("bags")) == c.search(qs, 10, filter().category("bags")));
    CHECK(back.index() == nullptr);
    c.build_index({.M = 8, .ef_construction = 40});
    c.save(path);
    auto back2 = catalog::load(path);
    REQUIRE(back2.index() != nullptr);
    CHECK(back2.search(qs, 10) == c.search(qs, 10));
    std::remove(path.c_str());
}

TEST_CASE("hostile catalog files give the right error kind") {
    catalog c = make_catalog(6, 4);
    c.build_index({.M = 4, .ef_construction = 8});
    const auto path = temp_path("small.idx");
    c.save(path);
    const auto good = read_bytes(path);
    std::remove(path.c_str());
    CHECK_NOTHROW(catalog::from_bytes(good, "good"));
    // Truncation at every offset: always `truncated`, never a crash.
    for (std::size_t len = 0; len < good.size(); ++len) {
        const std::vector<std::byte> cut(good.begin(), good.begin() + std::ptrdiff_t(len));
        const auto k = kind_of([&] { catalog::from_bytes(cut, "cut"); });
        CHECK_MESSAGE(k == error_kind::truncated, "length ", len);
    }
    auto with = [&](std::size_t off, auto value) {
        std::vector<std::byte> b = good;
        std::memcpy(b.data() + off, &value, sizeof(value));
        return b;
    };
    // Header fields.
    CHECK(kind_of([&] { catalog::from_bytes(with(0, char('X')), "x"); }) == error_kind::malformed);
    CHECK(kind_of([&] { catalog::from_bytes(with(8, std::uint32_t(9)), "x"); }) == error_kind::unsupported);
    CHECK(kind_of([&] { catalog::from_bytes(with(12, std::uint32_t(2)), "x"); }) == error_kind::inconsistent);
    CHECK(kind_of([&] { catalog::from_bytes(with(16, std::uint32_t(100000)), "x"); }) == error_kind::too_large);
    // Section 0 (META) starts at 24; its payload at 48: dim u64, metric u32, 0, count u64.
    // Flipping a payload byte breaks its checksum; with checksums switched off (flags = 0)
    // the payload checks themselves answer.
    CHECK(kind_of([&] { catalog::from_bytes(with(48, std::uint64_t(5)), "x"); }) == error_kind::invalid_data);
    auto unchecked = [&](std::vector<std::byte> b) {
        // Clear the checksum flag of every section.
        std::size_t off = 24;
        while (off + 24 <= b.size()) {
            std::uint64_t len;
            std::memcpy(&len, b.data() + off + 8, 8);
            const std::uint32_t zero = 0;
            std::memcpy(b.data() + off + 4, &zero, 4);
            off += 24 + len;
        }
        return b;
    };
    auto patched = [&](std::size_t off, auto value) { return unchecked(with(off, value)); };
    CHECK_NOTHROW(catalog::from_bytes(unchecked(good), "x"));
    CHECK(kind_of([&] { catalog::from_bytes(patched(48, std::uint64_t(5)), "x"); }) == error_kind::inconsistent);  // dim vs EMBD
    CHECK(kind_of([&] { catalog::from_bytes(patched(48, std::uint64_t(0)), "x"); }) == error_kind::malformed);
    CHECK(kind_of([&] { catalog::from_bytes(patched(48, ~std::uint64_t(0)), "x"); }) == error_kind::too_large);
    CHECK(kind_of([&] { catalog::from_bytes(patched(56, std::uint32_t(7)), "x"); }) == error_kind::unsupported);
    CHECK(kind_of([&] { catalog::from_bytes(patched(64, std::uint64_t(7)), "x"); }) == error_kind::inconsistent);  // count
    CHECK(kind_of([&] { catalog::from_bytes(patched(64, std::uint64_t(1) << 40), "x"); }) == error_kind::too_large);
    index_limits no_row_cap;
    no_row_cap.max_rows = ~std::uint64_t(0);
    CHECK(kind_of([&] { catalog::from_bytes(patched(64, std::uint64_t(1) << 62), "x", no_row_cap); }) == error_kind::overflow);
    // Trailing bytes.
    auto longer = good;
    longer.push_back(std::byte{0});
    CHECK(kind_of([&] { catalog::from_bytes(longer, "x"); }) == error_kind::inconsistent);
    // Product section: first product's id length (PROD payload starts after META's 24 bytes
    // payload + 24 header bytes) made huge: too_large; made to run past the section: truncated.
    const std::size_t prod_payload = 48 + 24 + 24;
    CHECK(kind_of([&] { catalog::from_bytes(patched(prod_payload, std::uint32_t(0xffffffff)), "x"); }) == error_kind::too_large);
    CHECK(kind_of([&] { catalog::from_bytes(patched(prod_payload, std::uint32_t(100000)), "x"); }) == error_kind::truncated);
    // Duplicate product id: rename sku-1 to sku-0 (both 5 bytes).
    {
        auto b = unchecked(good);
        const std::string from = "sku-1", to = "sku-0";
        auto it = std::search(b.begin(), b.end(), reinterpret_cast<const std::byte*>(from.data()),
                              reinterpret_cast<const std::byte*>(from.data()) + from.size());
        REQUIRE(it != b.end());
        std::memcpy(&*it, to.data(), to.size());
        CHECK(kind_of([&] { catalog::from_bytes(b, "x"); }) == error_kind::duplicate);
    }
    // Non-finite embedding and a non-normalised cosine embedding.
    {
        const std::size_t emb_payload = good.size();  // found below by scanning sections
        (void)emb_payload;
        std::size_t off = 24, emb = 0;
        for (int s = 0; s < 3; ++s) {
            std::uint64_t len;
            std::memcpy(&len, good.data() + off + 8, 8);
            if (s == 2) emb = off + 24;
            off += 24 + len;
        }
        CHECK(kind_of([&] { catalog::from_bytes(patched(emb, std::numeric_limits<float>::quiet_NaN()), "x"); }) == error_kind::invalid_data);
        CHECK(kind_of([&] { catalog::from_bytes(patched(emb, 3.0f), "x"); }) == error_kind::inconsistent);
    }
}
