// train/: heads, losses, optimizers, the trainer, head files, features and the data split.
//  * gradients of linear and MLP (ReLU, GELU) heads under softmax cross-entropy and MSE, on
//    dense and sparse inputs, against central finite differences in double precision
//    (relative error <= 1e-4 per element; the worst observed is ~3e-6), and the float path
//    (SIMD dot products) against the double one;
//  * SGD (momentum, L2 weight decay) and Adam (decoupled weight decay) steps against values
//    worked out by hand (two steps each; the arithmetic is in the comments);
//  * training bitwise reproducible for a fixed seed with 1, 2 and 3 threads, for a dense MLP
//    and a sparse linear head; another seed gives another head;
//  * early stopping keeps the best epoch; a separable problem reaches 100% accuracy, XOR
//    needs (and gets) the MLP, a linear target is fitted by MSE regression;
//  * save/load round trip, and every malformed head file is an error naming the tensor;
//  * FNV-1a test vectors, the hash split, hashed character n-grams, and rng.hpp's mapping.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "tessera/core/thread_pool.hpp"
#include "tessera/io/safetensors_writer.hpp"
#include "tessera/train/char_ngrams.hpp"
#include "tessera/train/hash_split.hpp"
#include "tessera/train/head.hpp"
#include "tessera/train/head_io.hpp"
#include "tessera/train/loss.hpp"
#include "tessera/train/optimizer.hpp"
#include "tessera/train/rng.hpp"
#include "tessera/train/trainer.hpp"

namespace fs = std::filesystem;
using namespace tessera;
using train::activation;
using train::head_kind;

namespace {

struct temp_dir {
    fs::path path;
    temp_dir() {
        static int counter = 0;
        path = fs::temp_directory_path() / ("tessera_train_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// Standard normal by Box–Muller on rng.hpp's uniform draws (platform-independent data).
double normal(std::mt19937_64& g) {
    const double u1 = 1.0 - train::uniform_unit(g), u2 = train::uniform_unit(g);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

template <class T>
tensor<T> random_matrix(std::size_t n, std::size_t d, std::uint64_t seed, double scale = 1.0) {
    std::mt19937_64 g(seed);
    tensor<T> m(shape{n, d});
    for (T& v : m.span()) v = T(normal(g) * scale);
    return m;
}

// Gaussian blobs: class c centred at 3·e_c (first `classes` dims), unit noise.
struct blobs {
    tensor<float> x;
    std::vector<std::int32_t> y;
};
blobs make_blobs(std::size_t n, std::size_t d, std::size_t classes, std::uint64_t seed, double noise = 1.0) {
    std::mt19937_64 g(seed);
    blobs b{tensor<float>(shape{n, d}), {}};
    for (std::size_t r = 0; r < n; ++r) {
        const auto c = std::int32_t(train::uniform_index(g, classes));
        b.y.push_back(c);
        for (std::size_t i = 0; i < d; ++i) b.x(r, i) = float(normal(g) * noise + (i == std::size_t(c) ? 3.0 : 0.0));
    }
    return b;
}

std::vector<std::size_t> all_rows(std::size_t n) {
    std::vector<std::size_t> r(n);
    for (std::size_t i = 0; i < n; ++i) r[i] = i;
    return r;
}

// Loss of the head on `rows` (cross-entropy when labels are given, else MSE against targets).
template <class X>
double loss_of(const train::head<double>& h, const X& x, const std::vector<std::size_t>& rows,
               const std::vector<std::int32_t>& labels, const std::vector<double>& targets) {
    train::head_batch<double> a;
    h.forward(x, rows, a, nullptr);
    if (!labels.empty()) return train::softmax_cross_entropy<double>(a.out.data(), labels, h.output_dim(), nullptr);
    return train::mean_squared_error<double>(a.out.data(), targets.data(), a.out.size(), nullptr);
}

// Analytic gradients of every parameter vs central differences (step 1e-6).
template <class X>
void check_gradients(train::head<double>& h, const X& x, const std::vector<std::int32_t>& labels,
                     const std::vector<double>& targets) {
    const auto rows = all_rows(train::input_rows(x));
    train::head_batch<double> a;
    h.forward(x, rows, a, nullptr);
    a.d_out.resize(a.out.size());
    if (!labels.empty()) train::softmax_cross_entropy<double>(a.out.data(), labels, h.output_dim(), a.d_out.data());
    else train::mean_squared_error<double>(a.out.data(), targets.data(), a.out.size(), a.d_out.data());
    h.backward(x, rows, a, nullptr);
    double worst = 0;
    std::size_t checked = 0;
    for (auto& p : h.parameters()) {
        const std::vector<double> analytic(p.grad.begin(), p.grad.end());
        // every element of small tensors; a spread of 97 elements of large ones
        const std::size_t stride = std::max<std::size_t>(1, p.value.size() / 97);
        for (std::size_t i = 0; i < p.value.size(); i += stride) {
            const double keep = p.value[i], step = 1e-6;
            p.value[i] = keep + step;
            const double up = loss_of(h, x, rows, labels, targets);
            p.value[i] = keep - step;
            const double down = loss_of(h, x, rows, labels, targets);
            p.value[i] = keep;
            const double numeric = (up - down) / (2 * step);
            const double scale = std::max(std::abs(numeric), std::abs(analytic[i]));
            const double rel = scale < 1e-7 ? std::abs(numeric - analytic[i]) / 1e-7 : std::abs(numeric - analytic[i]) / scale;
            CAPTURE(p.name);
            CAPTURE(i);
            CHECK(rel <= 1e-4);
            worst = std::max(worst, rel);
            ++checked;
        }
    }
    CHECK(checked > 10);
    MESSAGE("gradient check: " << checked << " elements, worst relative error " << worst);
}

template <class T>
std::vector<std::vector<T>> snapshot(train::head<T>& h) {
    std::vector<std::vector<T>> s;
    for (const auto& p : h.parameters()) s.emplace_back(p.value.begin(), p.value.end());
    return s;
}

bool bitwise_equal(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].size() != b[i].size() || std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)) != 0) return false;
    return true;
}

std::string error_message(const std::function<void()>& f) {
    try {
        f();
    } catch (const tessera::error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("losses by hand") {
    // logits [0, 0] label 0: p = [1/2, 1/2], L = ln 2, dL/dz = [-1/2, 1/2] / B (B = 2 rows)
    // logits [1000, 0] label 0: p ≈ [1, e^-1000], L ≈ 0 with no overflow
    const std::vector<double> z{0, 0, 1000, 0};
    const std::vector<std::int32_t> y{0, 0};
    std::vector<double> g(4);
    const double l = train::softmax_cross_entropy<double>(z.data(), y, 2, g.data());
    CHECK(l == doctest::Approx(std::log(2.0) / 2).epsilon(1e-15));
    CHECK(g[0] == doctest::Approx(-0.25));
    CHECK(g[1] == doctest::Approx(0.25));
    CHECK(std::abs(g[2]) < 1e-300);
    // MSE of [1, 2] vs [0, 4]: (1 + 4)/2 = 2.5; gradient 2(p - t)/n = [1, -2]
    const std::vector<double> p{1, 2}, t{0, 4};
    CHECK(train::mean_squared_error<double>(p.data(), t.data(), 2, g.data()) == 2.5);
    CHECK(g[0] == 1.0);
    CHECK(g[1] == -2.0);
    const std::vector<std::int32_t> bad{0, 2};
    CHECK_THROWS_AS(train::softmax_cross_entropy<double>(z.data(), bad, 2, g.data()), tessera::error);
}

TEST_CASE("gradients match finite differences") {
    const auto x = random_matrix<double>(7, 5, 11);
    const std::vector<std::int32_t> labels{0, 2, 1, 2, 0, 1, 1};
    const auto tv = random_matrix<double>(7, 3, 12);
    const std::vector<double> targets(tv.span().begin(), tv.span().end());

    SUBCASE("linear + cross-entropy") {
        train::head<double> h({.kind = head_kind::linear, .input_dim = 5, .output_dim = 3}, 1);
        check_gradients(h, x.view(), labels, {});
    }
    SUBCASE("mlp relu + cross-entropy") {
        train::head<double> h({.kind = head_kind::mlp, .input_dim = 5, .hidden_dim = 8, .output_dim = 3, .act = activation::relu}, 2);
        check_gradients(h, x.view(), labels, {});
    }
    SUBCASE("mlp gelu + cross-entropy") {
        train::head<double> h({.kind = head_kind::mlp, .input_dim = 5, .hidden_dim = 8, .output_dim = 3, .act = activation::gelu}, 3);
        check_gradients(h, x.view(), labels, {});
    }
    SUBCASE("linear + mse") {
        train::head<double> h({.kind = head_kind::linear, .input_dim = 5, .output_dim = 3}, 4);
        check_gradients(h, x.view(), {}, targets);
    }
    SUBCASE("mlp gelu + mse") {
        train::head<double> h({.kind = head_kind::mlp, .input_dim = 5, .hidden_dim = 6, .output_dim = 3, .act = activation::gelu}, 5);
        check_gradients(h, x.view(), {}, targets);
    }
    SUBCASE("sparse input, linear and mlp + cross-entropy") {
        train::sparse_rows<double> s(40);
        std::mt19937_64 g(6);
        for (std::size_t r = 0; r < 7; ++r) {
            std::vector<std::uint32_t> idx;
            std::vector<double> val;
            for (std::uint32_t c = 0; c < 40; ++c)
                if (train::uniform_index(g, 4) == 0) {
                    idx.push_back(c);
                    val.push_back(normal(g));
                }
            s.add_row(idx, val);
        }
        train::head<double> lin({.kind = head_kind::linear, .input_dim = 40, .output_dim = 3}, 7);
        check_gradients(lin, s, labels, {});
        train::head<double> mlp({.kind = head_kind::mlp, .input_dim = 40, .hidden_dim = 5, .output_dim = 3, .act = activation::gelu}, 8);
        check_gradients(mlp, s, labels, {});
    }
}

TEST_CASE("float gradients agree with double gradients") {
    // Same parameters and inputs; the float path uses SIMD dot products (a different
    // summation order), so agreement to 1e-4 relative checks it separately.
    const auto xd = random_matrix<double>(33, 40, 21);
    tensor<float> xf(shape{33, 40});
    for (std::size_t i = 0; i < xd.numel(); ++i) xf.data()[i] = float(xd.data()[i]);
    std::vector<std::int32_t> labels;
    for (std::size_t i = 0; i < 33; ++i) labels.push_back(std::int32_t(i % 3));
    const train::head_config cfg{.kind = head_kind::mlp, .input_dim = 40, .hidden_dim = 16, .output_dim = 3, .act = activation::gelu};
    train::head<float> hf(cfg, 9);
    train::head<double> hd(cfg, 9);
    auto pf = hf.parameters();
    auto pd = hd.parameters();
    for (std::size_t i = 0; i < pf.size(); ++i)
        for (std::size_t j = 0; j < pf[i].value.size(); ++j) pd[i].value[j] = double(pf[i].value[j]);
    const auto rows = all_rows(33);
    train::head_batch<float> af;
    train::head_batch<double> ad;
    hf.forward(xf.view(), rows, af, nullptr);
    hd.forward(xd.view(), rows, ad, nullptr);
    af.d_out.resize(af.out.size());
    ad.d_out.resize(ad.out.size());
    train::softmax_cross_entropy<float>(af.out.data(), labels, 3, af.d_out.data());
    train::softmax_cross_entropy<double>(ad.out.data(), labels, 3, ad.d_out.data());
    hf.backward(xf.view(), rows, af, nullptr);
    hd.backward(xd.view(), rows, ad, nullptr);
    for (std::size_t i = 0; i < pf.size(); ++i) {
        double num = 0, den = 0;
        for (std::size_t j = 0; j < pf[i].grad.size(); ++j) {
            num += std::pow(double(pf[i].grad[j]) - pd[i].grad[j], 2);
            den += std::pow(pd[i].grad[j], 2);
        }
        CAPTURE(pf[i].name);
        CHECK(std::sqrt(num / den) <= 1e-4);
    }
}

TEST_CASE("SGD steps by hand") {
    // w = [1, -2] (decayed), b = [0.5] (not decayed); grads [0.5, 0.25] and [1] both steps;
    // lr 0.1, momentum 0.9, weight decay 0.01.
    // step 1: g' = g + 0.01·w = [0.51, 0.23]; v = g'; w = [0.949, -2.023]; b: v = 1, b = 0.4
    // step 2: g' = [0.50949, 0.22977]; v = 0.9·[0.51, 0.23] + g' = [0.96849, 0.43677];
    //         w = [0.852151, -2.066677]; b: v = 1.9, b = 0.21
    std::vector<double> w{1, -2}, gw{0.5, 0.25}, b{0.5}, gb{1};
    const std::vector<train::parameter<double>> ps{{"w", w, gw, true}, {"b", b, gb, false}};
    train::optimizer<double> opt({.kind = train::optimizer_kind::sgd, .learning_rate = 0.1, .weight_decay = 0.01, .momentum = 0.9});
    opt.step(ps);
    CHECK(w[0] == doctest::Approx(0.949).epsilon(1e-14));
    CHECK(w[1] == doctest::Approx(-2.023).epsilon(1e-14));
    CHECK(b[0] == doctest::Approx(0.4).epsilon(1e-14));
    opt.step(ps);
    CHECK(w[0] == doctest::Approx(0.852151).epsilon(1e-14));
    CHECK(w[1] == doctest::Approx(-2.066677).epsilon(1e-14));
    CHECK(b[0] == doctest::Approx(0.21).epsilon(1e-14));
    CHECK(opt.steps() == 2);
    std::vector<double> other{1, 2, 3}, gother{0, 0, 0};
    const std::vector<train::parameter<double>> wrong{{"w", other, gother, true}, {"b", b, gb, false}};
    CHECK_THROWS_AS(opt.step(wrong), tessera::error);
}

TEST_CASE("Adam steps by hand") {
    // lr 0.1, β1 0.9, β2 0.999, ε 1e-8, weight decay 0.1 (decoupled); w = 1 (decayed), b = 0.5.
    // step 1, g = 0.5: w ← 1·(1 − 0.01) = 0.99; m = 0.05; v = 0.00025;
    //   step size 0.1/(1 − 0.9) = 1; denominator √0.00025/√0.001 + ε = 0.5 + 1e-8;
    //   w = 0.99 − 0.05/(0.5 + 1e-8) = 0.890000001999999960...
    // step 2, g = −0.25: w ← w·0.99; m = 0.02; v = 0.00031225; step size 0.1/0.19;
    //   w = 0.854466298687846162...
    // b (no decay) with g = 1 twice: 0.400000000999999990..., then 0.300000001999999980...
    std::vector<double> w{1}, gw{0.5}, b{0.5}, gb{1};
    const std::vector<train::parameter<double>> ps{{"w", w, gw, true}, {"b", b, gb, false}};
    train::optimizer<double> opt({.kind = train::optimizer_kind::adam, .learning_rate = 0.1, .weight_decay = 0.1});
    opt.step(ps);
    CHECK(w[0] == doctest::Approx(0.89000000199999996).epsilon(1e-14));
    CHECK(b[0] == doctest::Approx(0.40000000099999999).epsilon(1e-14));
    gw[0] = -0.25;
    opt.step(ps);
    CHECK(w[0] == doctest::Approx(0.85446629868784616).epsilon(1e-14));
    CHECK(b[0] == doctest::Approx(0.30000000199999998).epsilon(1e-14));

    // the float optimizer follows the same rule to float rounding
    std::vector<float> wf{1}, gwf{0.5f};
    const std::vector<train::parameter<float>> pf{{"w", wf, gwf, true}};
    train::optimizer<float> optf({.kind = train::optimizer_kind::adam, .learning_rate = 0.1, .weight_decay = 0.1});
    optf.step(pf);
    gwf[0] = -0.25f;
    optf.step(pf);
    CHECK(wf[0] == doctest::Approx(0.85446629868784616).epsilon(1e-6));
    CHECK_THROWS_AS(train::optimizer<float>({.learning_rate = -1}), tessera::error);
    CHECK_THROWS_AS(train::optimizer<float>({.beta1 = 1.0}), tessera::error);
}

TEST_CASE("training is bitwise reproducible for a seed at any thread count" * doctest::test_suite("concurrency")) {
    const auto train_set = make_blobs(300, 24, 3, 31, 1.5);
    const auto val_set = make_blobs(60, 24, 3, 32, 1.5);
    const auto run_dense = [&](std::size_t threads, std::uint64_t seed, std::vector<train::epoch_report>& hist) {
        thread_pool pool(threads);
        train::head<float> h({.kind = head_kind::mlp, .input_dim = 24, .hidden_dim = 32, .output_dim = 3, .act = activation::gelu}, seed);
        const auto r = train::fit_classifier(h, train_set.x.view(), train_set.y, val_set.x.view(), val_set.y,
                                             {.epochs = 6, .batch_size = 16, .patience = 0, .optimizer = {.learning_rate = 3e-3}, .seed = seed},
                                             &pool);
        hist = r.history;
        return snapshot(h);
    };
    std::vector<train::epoch_report> h1, h2, h3, h4;
    const auto one = run_dense(1, 5, h1), two = run_dense(2, 5, h2), three = run_dense(3, 5, h3), other = run_dense(2, 6, h4);
    CHECK(bitwise_equal(one, two));
    CHECK(bitwise_equal(one, three));
    CHECK_FALSE(bitwise_equal(one, other));
    REQUIRE(h1.size() == 6);
    for (std::size_t e = 0; e < h1.size(); ++e) {
        CHECK(h1[e].train_loss == h2[e].train_loss);
        CHECK(h1[e].val_loss == h3[e].val_loss);
    }

    // sparse inputs through a linear head (the bag-of-characters baseline's path), SGD with momentum
    const std::vector<std::string> texts{"很好很好", "质量不错", "太差了", "非常失望", "还可以吧", "物流很快",
                                         "不推荐", "good value", "bad quality", "很满意", "退货了", "差评"};
    const std::vector<std::int32_t> labels{1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0};
    const auto xs = train::char_ngram_features<float>(texts, {.buckets = 1 << 12});
    const train::sparse_rows<float> no_val(1 << 12);
    const auto run_sparse = [&](std::size_t threads) {
        thread_pool pool(threads);
        train::head<float> h({.kind = head_kind::linear, .input_dim = 1 << 12, .output_dim = 2}, 3);
        train::fit_classifier(h, xs, labels, no_val, std::span<const std::int32_t>(),
                              {.epochs = 5, .batch_size = 4,
                               .optimizer = {.kind = train::optimizer_kind::sgd, .learning_rate = 0.5, .weight_decay = 1e-3, .momentum = 0.9},
                               .seed = 9},
                              &pool);
        return snapshot(h);
    };
    const auto s1 = run_sparse(1), s2 = run_sparse(2), s3 = run_sparse(3);
    CHECK(bitwise_equal(s1, s2));
    CHECK(bitwise_equal(s1, s3));
}

TEST_CASE("a separable problem reaches 100% accuracy; XOR needs the MLP") {
    thread_pool pool(2);
    SUBCASE("linear head on well separated blobs") {
        const auto tr = make_blobs(200, 8, 4, 41, 0.3), va = make_blobs(80, 8, 4, 42, 0.3);
        train::head<float> h({.kind = head_kind::linear, .input_dim = 8, .output_dim = 4}, 1);
        const auto r = train::fit_classifier(h, tr.x.view(), tr.y, va.x.view(), va.y,
                                             {.epochs = 40, .batch_size = 32, .patience = 0, .optimizer = {.learning_rate = 0.05}}, &pool);
        CHECK(r.history[r.best_epoch - 1].val_accuracy == 1.0);
        const auto logits = h.predict(tr.x.view(), &pool);
        std::vector<std::int32_t> pred;
        for (std::size_t i = 0; i < 200; ++i) {
            std::int32_t best = 0;
            for (std::int32_t c = 1; c < 4; ++c)
                if (logits(i, c) > logits(i, best)) best = c;
            pred.push_back(best);
        }
        CHECK(pred == tr.y);
    }
    SUBCASE("XOR") {
        // four corners (±1, ±1) with small noise; label = sign(x0·x1) > 0
        std::mt19937_64 g(51);
        tensor<float> x(shape{200, 2});
        std::vector<std::int32_t> y;
        for (std::size_t i = 0; i < 200; ++i) {
            const float a = i % 2 ? 1.f : -1.f, b = i % 4 >= 2 ? 1.f : -1.f;  // 50 points per corner
            x(i, 0) = a + float(normal(g) * 0.1);
            x(i, 1) = b + float(normal(g) * 0.1);
            y.push_back(a * b > 0 ? 1 : 0);
        }
        const train::fit_options opt{.epochs = 150, .batch_size = 20, .patience = 0, .optimizer = {.learning_rate = 0.02}, .seed = 2};
        const tensor<float> none(shape{0, 2});
        const std::vector<std::int32_t> no_labels;
        train::head<float> mlp({.kind = head_kind::mlp, .input_dim = 2, .hidden_dim = 16, .output_dim = 2, .act = activation::relu}, 3);
        train::fit_classifier(mlp, x.view(), y, none.view(), no_labels, opt, &pool);
        train::head<float> lin({.kind = head_kind::linear, .input_dim = 2, .output_dim = 2}, 3);
        train::fit_classifier(lin, x.view(), y, none.view(), no_labels, opt, &pool);
        const auto accuracy = [&](const train::head<float>& h) {
            const auto z = h.predict(x.view(), &pool);
            std::size_t ok = 0;
            for (std::size_t i = 0; i < 200; ++i) ok += (z(i, 1) > z(i, 0) ? 1 : 0) == y[i];
            return double(ok) / 200;
        };
        CHECK(accuracy(mlp) == 1.0);
        CHECK(accuracy(lin) <= 0.75);  // a line gets three corners right at best
    }
    SUBCASE("regression fits a linear target") {
        // y = 2·x0 − x1 + 0.5, noiseless: a linear head trained on MSE gets the weights
        const auto x = random_matrix<float>(256, 2, 61);
        tensor<float> y(shape{256, 1});
        for (std::size_t i = 0; i < 256; ++i) y(i, 0) = 2 * x(i, 0) - x(i, 1) + 0.5f;
        const auto xv = random_matrix<float>(64, 2, 62);
        tensor<float> yv(shape{64, 1});
        for (std::size_t i = 0; i < 64; ++i) yv(i, 0) = 2 * xv(i, 0) - xv(i, 1) + 0.5f;
        train::head<float> h({.kind = head_kind::linear, .input_dim = 2, .output_dim = 1}, 4);
        const auto r = train::fit_regressor(h, x.view(), tensor_view<const float>(y.view()), xv.view(), tensor_view<const float>(yv.view()),
                                            {.epochs = 200, .batch_size = 32, .patience = 0, .optimizer = {.learning_rate = 0.05}}, &pool);
        CHECK(r.history[r.best_epoch - 1].val_loss < 1e-6);
        CHECK(h.layers()[0].weight(0, 0) == doctest::Approx(2.0).epsilon(1e-3));
        CHECK(h.layers()[0].weight(0, 1) == doctest::Approx(-1.0).epsilon(1e-3));
        CHECK(h.layers()[0].bias(0) == doctest::Approx(0.5).epsilon(1e-3));
    }
}

TEST_CASE("early stopping keeps the best epoch") {
    // Labels that are noise: the head memorises the training rows and the validation loss
    // rises after the first epochs, so training stops `patience` epochs after the best one.
    auto tr = make_blobs(120, 32, 2, 71), va = make_blobs(120, 32, 2, 72);
    std::mt19937_64 g(73);
    for (auto& v : tr.y) v = std::int32_t(train::uniform_index(g, 2));
    for (auto& v : va.y) v = std::int32_t(train::uniform_index(g, 2));
    train::head<float> h({.kind = head_kind::mlp, .input_dim = 32, .hidden_dim = 64, .output_dim = 2}, 5);
    std::size_t callbacks = 0;
    const auto r = train::fit_classifier(h, tr.x.view(), tr.y, va.x.view(), va.y,
                                         {.epochs = 100, .batch_size = 8, .patience = 3, .optimizer = {.learning_rate = 1e-2},
                                          .on_epoch = [&](const train::epoch_report&) { ++callbacks; }},
                                         nullptr);
    CHECK(r.stopped_early);
    CHECK(callbacks == r.history.size());
    CHECK(r.history.size() == r.best_epoch + 3);
    for (const auto& e : r.history) CHECK(e.val_loss >= r.history[r.best_epoch - 1].val_loss);
    // the head holds the best epoch's parameters: its validation loss is that epoch's, exactly
    const auto z = h.predict(va.x.view());
    CHECK(double(train::softmax_cross_entropy<float>(z.data(), va.y, 2, nullptr)) == r.history[r.best_epoch - 1].val_loss);
}

TEST_CASE("fit rejects bad input") {
    const auto tr = make_blobs(10, 4, 2, 81);
    train::head<float> h({.kind = head_kind::linear, .input_dim = 4, .output_dim = 2}, 1);
    std::vector<std::int32_t> bad = tr.y;
    bad[3] = 2;
    const tensor<float> none(shape{0, 4});
    const std::vector<std::int32_t> no_labels;
    CHECK(error_message([&] { train::fit_classifier(h, tr.x.view(), bad, none.view(), no_labels, {}); }).find("label 2 of row 3") !=
          std::string::npos);
    const std::vector<std::int32_t> short_labels(tr.y.begin(), tr.y.begin() + 5);
    CHECK_THROWS_AS(train::fit_classifier(h, tr.x.view(), short_labels, none.view(), no_labels, {}), tessera::error);
    auto nan_x = tr.x;
    nan_x(2, 1) = std::nanf("");
    CHECK_THROWS_AS(train::fit_classifier(h, nan_x.view(), tr.y, none.view(), no_labels, {}), tessera::error);
    const tensor<float> wide(shape{10, 5});
    CHECK_THROWS_AS(train::fit_classifier(h, wide.view(), tr.y, none.view(), no_labels, {}), tessera::error);
    // divergence is reported, not trained through (w ← w·(1 − lr·wd) − lr·g grows ×1e10 a step)
    CHECK_THROWS_AS(train::fit_classifier(h, tr.x.view(), tr.y, none.view(), no_labels,
                                          {.epochs = 50, .optimizer = {.kind = train::optimizer_kind::sgd, .learning_rate = 1e10, .weight_decay = 1}}),
                    tessera::error);
    CHECK_THROWS_AS(train::head<float>({.kind = head_kind::mlp, .input_dim = 4, .output_dim = 2}, 1), tessera::error);
}

TEST_CASE("head save/load round trip") {
    temp_dir dir;
    thread_pool pool(2);
    const auto x = random_matrix<float>(9, 6, 91);
    for (const auto kind : {head_kind::linear, head_kind::mlp}) {
        CAPTURE(std::string(train::to_string(kind)));
        train::head<float> h({.kind = kind, .input_dim = 6, .hidden_dim = 5, .output_dim = 3, .act = activation::gelu}, 17);
        const fs::path file = dir.path / "head.safetensors";
        train::save_head(file, h, {{"labels", "a,b,c"}});
        const auto loaded = train::load_head<float>(file);
        CHECK(loaded.metadata.at("labels") == "a,b,c");
        CHECK(loaded.metadata.at("tessera.head") == train::to_string(kind));
        CHECK(loaded.model.config().kind == kind);
        CHECK(loaded.model.config().input_dim == 6);
        CHECK(loaded.model.config().output_dim == 3);
        CHECK(loaded.model.config().hidden_dim == (kind == head_kind::mlp ? 5u : 0u));
        CHECK(loaded.model.config().act == (kind == head_kind::mlp ? activation::gelu : activation::relu));
        const auto a = h.predict(x.view(), &pool), b = loaded.model.predict(x.view(), &pool);
        CHECK(std::memcmp(a.data(), b.data(), a.numel() * sizeof(float)) == 0);
    }
    // double heads store F64
    train::head<double> hd({.kind = head_kind::linear, .input_dim = 3, .output_dim = 2}, 1);
    train::save_head(dir.path / "d.safetensors", hd);
    CHECK(train::load_head<double>(dir.path / "d.safetensors").model.layers()[0].weight(1, 2) == hd.layers()[0].weight(1, 2));
    CHECK_THROWS_AS(train::save_head(dir.path / "r.safetensors", hd, {{"tessera.head", "x"}}), tessera::error);
}

TEST_CASE("malformed head files are errors naming the tensor") {
    temp_dir dir;
    const fs::path f = dir.path / "bad.safetensors";
    tensor<float> w(shape{2, 3}, 0.5f), b(shape{2}, 0.1f), b3(shape{3}), w2(shape{2, 4}), extra(shape{1});
    tensor<double> wd(shape{2, 3});
    const io::safetensors_metadata linear{{"tessera.head", "linear"}};
    const io::safetensors_metadata mlp{{"tessera.head", "mlp"}, {"tessera.head.activation", "relu"}};
    const auto load_error = [&] { return error_message([&] { (void)train::load_head<float>(f); }); };
    const auto contains = [](const std::string& s, const std::string& part) {
        CAPTURE(s);
        CHECK(s.find(part) != std::string::npos);
    };

    io::save_safetensors(f, {{"dense0.weight", w}, {"dense0.bias", b}});
    contains(load_error(), "no \"tessera.head\" metadata");
    io::save_safetensors(f, {{"dense0.weight", w}, {"dense0.bias", b}}, {{"tessera.head", "conv"}});
    contains(load_error(), "head kind \"conv\"");
    io::save_safetensors(f, {{"dense0.weight", w}}, linear);
    contains(load_error(), "tensor \"dense0.bias\" is missing");
    io::save_safetensors(f, {{"dense0.weight", w}, {"dense0.bias", b}, {"extra", extra}}, linear);
    contains(load_error(), "unexpected tensor \"extra\"");
    io::save_safetensors(f, {{"dense0.weight", wd}, {"dense0.bias", b}}, linear);
    contains(load_error(), "tensor \"dense0.weight\" is F64, expected F32");
    io::save_safetensors(f, {{"dense0.weight", w}, {"dense0.bias", b3}}, linear);
    contains(load_error(), "tensor \"dense0.bias\" has shape [3], expected [2]");
    io::save_safetensors(f, {{"dense0.weight", b}, {"dense0.bias", b}}, linear);
    contains(load_error(), "tensor \"dense0.weight\" has shape [2]");
    io::save_safetensors(f, {{"dense0.weight", w}, {"dense0.bias", b}, {"dense1.weight", w2}, {"dense1.bias", b}}, mlp);
    contains(load_error(), "tensor \"dense1.weight\" has 4 columns, expected 2");
    io::save_safetensors(f, {{"dense0.weight", w}, {"dense0.bias", b}, {"dense1.weight", w}, {"dense1.bias", b}},
                         {{"tessera.head", "mlp"}});
    contains(load_error(), "tessera.head.activation");
    w(1, 1) = std::nanf("");
    io::save_safetensors(f, {{"dense0.weight", w}, {"dense0.bias", b}}, linear);
    contains(load_error(), "tensor \"dense0.weight\" holds a non-finite value");
    try {
        (void)train::load_head<float>(f);
    } catch (const tessera::error& e) {
        CHECK(e.kind() == error_kind::invalid_data);
    }
    CHECK_THROWS_AS(train::load_head<float>(dir.path / "missing.safetensors"), tessera::error);
}

TEST_CASE("FNV-1a, the hash split and character n-grams") {
    // FNV-1a 64 test vectors (Fowler/Noll/Vo reference table)
    CHECK(train::fnv1a64("") == 0xcbf29ce484222325ull);
    CHECK(train::fnv1a64("a") == 0xaf63dc4c8601ec8cull);
    CHECK(train::fnv1a64("foobar") == 0x85944171f73967e8ull);
    // the split is the last decimal digit of the hash
    for (const std::string s : {"", "a", "foobar", "很好", "质量不错，物流很快"}) {
        const auto d = train::fnv1a64(s) % 10;
        const auto want = d <= 7 ? train::split::train : d == 8 ? train::split::validation : train::split::test;
        CHECK(train::hash_split(s) == want);
    }
    // "abca": unigrams a×2, b, c; bigrams ab, bc, ca; counts (2,1,1,1,1,1) → norm 3
    const auto x = train::char_ngram_features<float>(std::vector<std::string>{"abca", "", "\xff"}, {.buckets = 1u << 20});
    REQUIRE(x.rows() == 3);
    const auto bucket = [](std::string_view s) { return std::uint32_t(train::fnv1a64(s) % (1u << 20)); };
    std::vector<std::pair<std::uint32_t, float>> want{{bucket("a"), 2.f / 3}, {bucket("b"), 1.f / 3}, {bucket("c"), 1.f / 3},
                                                      {bucket("ab"), 1.f / 3}, {bucket("bc"), 1.f / 3}, {bucket("ca"), 1.f / 3}};
    std::sort(want.begin(), want.end());
    REQUIRE(x.row_index(0).size() == 6);
    for (std::size_t k = 0; k < 6; ++k) {
        CHECK(x.row_index(0)[k] == want[k].first);
        CHECK(x.row_value(0)[k] == doctest::Approx(want[k].second));
    }
    CHECK(x.row_index(1).empty());
    REQUIRE(x.row_index(2).size() == 1);  // an invalid byte is one U+FFFD
    CHECK(x.row_index(2)[0] == bucket("\xEF\xBF\xBD"));
    // unigrams only
    const auto u = train::char_ngram_features<float>(std::vector<std::string>{"abca"}, {.buckets = 1u << 20, .bigrams = false});
    CHECK(u.row_index(0).size() == 3);
    train::sparse_rows<float> s(4);
    const std::vector<std::uint32_t> unordered{2, 1};
    const std::vector<float> vals{1, 1};
    CHECK_THROWS_AS(s.add_row(unordered, vals), tessera::error);
}

TEST_CASE("rng mapping") {
    // the engine is the standard's: its 10000th output is fixed by [rand.predef]
    std::mt19937_64 e;
    e.discard(9999);
    CHECK(e() == 9981545732273789042ull);
    // the portable 128-bit product (checked where it carries across the 32-bit halves)
    std::uint64_t hi, lo;
    train::detail::mul_64x64(0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFFull, hi, lo);
    CHECK(hi == 0xFFFFFFFFFFFFFFFEull);
    CHECK(lo == 1);
    train::detail::mul_64x64(0x100000000ull, 0x100000000ull, hi, lo);
    CHECK(hi == 1);
    CHECK(lo == 0);
    train::detail::mul_64x64(0x123456789ABCDEF0ull, 10, hi, lo);
    CHECK(hi == 0);
    CHECK(lo == 0xB60B60B60B60B560ull);
    // uniform_index is the high word of x·n when no rejection happens
    std::mt19937_64 a(7), b(7);
    for (int i = 0; i < 100; ++i) {
        const std::uint64_t x = b();
        const std::uint64_t want = std::uint64_t((long double)x * 10 / 18446744073709551616.0L);  // ⌊x·10 / 2^64⌋
        CHECK(train::uniform_index(a, 10) == want);  // rejection probability 2^-60: never here
    }
    // shuffle gives a permutation, and each value reaches each slot about equally often
    std::vector<int> count(16, 0);
    std::mt19937_64 g(8);
    for (int t = 0; t < 4000; ++t) {
        std::vector<int> v{0, 1, 2, 3};
        train::shuffle(std::span<int>(v), g);
        std::vector<int> sorted = v;
        std::sort(sorted.begin(), sorted.end());
        REQUIRE(sorted == std::vector<int>{0, 1, 2, 3});
        for (int i = 0; i < 4; ++i) ++count[i * 4 + v[i]];
    }
    for (int c : count) CHECK(std::abs(c - 1000) < 150);  // binomial sd ≈ 27
    CHECK(train::derive_seed(1, 0) != train::derive_seed(1, 1));
    CHECK(train::derive_seed(1, 0) != train::derive_seed(2, 0));
}
