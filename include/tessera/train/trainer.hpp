#pragma once
// fit_classifier / fit_regressor: mini-batch training of a head with early stopping.
//
//   train::fit_options opt{.epochs = 30, .batch_size = 64, .patience = 4,
//                          .optimizer = {.kind = optimizer_kind::adam, .learning_rate = 1e-3}};
//   opt.on_epoch = [](const train::epoch_report& r) { ... };          // progress line
//   auto result = train::fit_classifier(h, x_train, y_train, x_val, y_val, opt, &pool);
//
// Each epoch visits every training row once, in an order shuffled with
// mt19937_64(derive_seed(seed, 1)) (rng.hpp: the same order on every platform), in batches
// of batch_size (the last one may be smaller). After each epoch the loss on the validation
// rows is measured; when it has not improved by more than min_delta for `patience` epochs in
// a row, training stops, and in any case the head ends with the parameters of the epoch with
// the lowest validation loss. With no validation rows every epoch runs and the last
// parameters are kept. patience = 0 turns early stopping off (the best epoch is still kept).
//
// Determinism: batch order depends on the seed only; forward, backward and the optimizer
// give bitwise the same result for any thread count (dense_layer.hpp, optimizer.hpp); losses
// are summed serially. So a seed gives bitwise the same head with 1, 2 or 16 threads.
// A non-finite training loss (divergence: learning rate too high) is an invalid_data error.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/train/features.hpp"
#include "tessera/train/head.hpp"
#include "tessera/train/loss.hpp"
#include "tessera/train/optimizer.hpp"
#include "tessera/train/rng.hpp"

namespace tessera::train {

struct epoch_report {
    std::size_t epoch = 0;   // 1-based
    std::size_t epochs = 0;  // the most that will run
    double train_loss = 0;   // mean over the epoch's rows, each measured when its batch was trained
    bool has_validation = false;
    double val_loss = std::numeric_limits<double>::quiet_NaN();
    double val_accuracy = std::numeric_limits<double>::quiet_NaN();  // classification only
    bool best = false;       // lowest validation loss so far (kept)
};

struct fit_options {
    std::size_t epochs = 20;
    std::size_t batch_size = 64;
    std::size_t patience = 5;  // epochs without improvement before stopping; 0: never stop early
    double min_delta = 0.0;    // a smaller decrease of the validation loss is no improvement
    optimizer_options optimizer = {};
    std::uint64_t seed = 0;    // batch order
    std::function<void(const epoch_report&)> on_epoch = nullptr;
};

struct fit_result {
    std::vector<epoch_report> history;
    std::size_t best_epoch = 0;  // whose parameters the head holds now
    bool stopped_early = false;
};

namespace detail {

// Mean cross-entropy and accuracy of the head on all rows of x.
template <class T, class X>
std::pair<double, double> classification_scores(const head<T>& h, const X& x, std::span<const std::int32_t> y,
                                                thread_pool* pool) {
    const tensor<T> logits = h.predict(x, pool);
    const std::size_t c = h.output_dim();
    const double loss = double(softmax_cross_entropy<T>(logits.data(), y, c, nullptr));
    std::size_t correct = 0;
    for (std::size_t r = 0; r < y.size(); ++r) {
        const T* z = logits.data() + r * c;
        std::size_t best = 0;
        for (std::size_t j = 1; j < c; ++j)
            if (z[j] > z[best]) best = j;  // ties: lowest class index, as numpy.argmax
        correct += best == std::size_t(y[r]);
    }
    return {loss, double(correct) / double(y.size())};
}

// The training loop shared by both tasks. batch_loss(rows, out, d_out) returns the batch's
// mean loss and fills d_out; val_scores(head) gives (validation loss, validation metric).
template <class T, class X, class BatchLoss, class ValScores>
fit_result fit(head<T>& h, const X& x, std::size_t n_val, const fit_options& opt, thread_pool* pool,
               BatchLoss&& batch_loss, ValScores&& val_scores) {
    const std::size_t n = input_rows(x);
    require(n > 0, error_kind::invalid_argument, "fit: no training rows");
    require(opt.batch_size > 0 && opt.epochs > 0, error_kind::invalid_argument, "fit: epochs and batch_size must be positive");
    optimizer<T> optim(opt.optimizer);
    const auto params = h.parameters();
    std::mt19937_64 g(derive_seed(opt.seed, 1));
    std::vector<std::size_t> order(n);
    head_batch<T> a;
    fit_result result;
    double best_loss = std::numeric_limits<double>::infinity();
    std::vector<tensor<T>> best_params;
    std::size_t bad_epochs = 0;
    for (std::size_t epoch = 1; epoch <= opt.epochs; ++epoch) {
        std::iota(order.begin(), order.end(), std::size_t(0));
        shuffle(std::span<std::size_t>(order), g);
        double total = 0;
        for (std::size_t b0 = 0; b0 < n; b0 += opt.batch_size) {
            const std::span<const std::size_t> rows(order.data() + b0, std::min(opt.batch_size, n - b0));
            h.forward(x, rows, a, pool);
            a.d_out.resize(a.out.size());
            const double loss = double(batch_loss(rows, a.out.data(), a.d_out.data()));
            require(std::isfinite(loss), error_kind::invalid_data, [&] {
                return "fit: the training loss is not finite in epoch " + std::to_string(epoch) +
                       " (diverged: lower the learning rate)";
            });
            total += loss * double(rows.size());
            h.backward(x, rows, a, pool);
            optim.step(params, pool);
        }
        epoch_report r;
        r.epoch = epoch;
        r.epochs = opt.epochs;
        r.train_loss = total / double(n);
        r.has_validation = n_val > 0;
        if (r.has_validation) {
            const auto [vl, vm] = val_scores(h);
            r.val_loss = vl;
            r.val_accuracy = vm;
            r.best = vl < best_loss - opt.min_delta || best_params.empty();
        } else {
            r.best = true;
        }
        if (r.best) {
            best_loss = r.has_validation ? r.val_loss : best_loss;
            result.best_epoch = epoch;
            bad_epochs = 0;
            if (r.has_validation) {
                best_params.clear();
                for (const auto& p : params) {
                    tensor<T> copy(shape{p.value.size()});
                    std::copy(p.value.begin(), p.value.end(), copy.data());
                    best_params.push_back(std::move(copy));
                }
            }
        } else {
            ++bad_epochs;
        }
        result.history.push_back(r);
        if (opt.on_epoch) opt.on_epoch(r);
        if (opt.patience > 0 && bad_epochs >= opt.patience && epoch < opt.epochs) {
            result.stopped_early = true;
            break;
        }
    }
    if (!best_params.empty())
        for (std::size_t i = 0; i < params.size(); ++i)
            std::copy(best_params[i].data(), best_params[i].data() + best_params[i].numel(), params[i].value.begin());
    return result;
}

template <class T, class X>
void check_rows(const head<T>& h, const X& x, std::size_t n_targets, const char* what) {
    check_input(x, what);
    require(input_rows(x) == 0 || input_cols(x) == h.input_dim(), error_kind::invalid_argument, [&] {
        return std::string(what) + ": " + std::to_string(input_cols(x)) + " columns, the head expects " +
               std::to_string(h.input_dim());
    });
    require(input_rows(x) == n_targets, error_kind::invalid_argument, [&] {
        return std::string(what) + ": " + std::to_string(input_rows(x)) + " rows but " + std::to_string(n_targets) + " targets";
    });
}

inline void check_labels(std::span<const std::int32_t> y, std::size_t classes, const char* what) {
    for (std::size_t r = 0; r < y.size(); ++r)
        require(y[r] >= 0 && std::size_t(y[r]) < classes, error_kind::out_of_range, [&] {
            return std::string(what) + ": label " + std::to_string(y[r]) + " of row " + std::to_string(r) +
                   " is not below the head's " + std::to_string(classes) + " outputs";
        });
}

}  // namespace detail

// Classification with softmax cross-entropy; labels in [0, output_dim). X and XV: a dense
// view (const or not) or sparse_rows (features.hpp). x_val may have 0 rows (then no early
// stopping). epoch_report::val_accuracy is the validation accuracy.
template <class T, class X, class XV>
fit_result fit_classifier(head<T>& h, const X& x, std::span<const std::int32_t> y, const XV& x_val,
                          std::span<const std::int32_t> y_val, const fit_options& opt, thread_pool* pool = nullptr) {
    detail::check_rows(h, x, y.size(), "fit_classifier: training set");
    detail::check_rows(h, x_val, y_val.size(), "fit_classifier: validation set");
    detail::check_labels(y, h.output_dim(), "fit_classifier: training set");
    detail::check_labels(y_val, h.output_dim(), "fit_classifier: validation set");
    std::vector<std::int32_t> batch_y;
    const std::size_t c = h.output_dim();
    return detail::fit(
        h, x, y_val.size(), opt, pool,
        [&](std::span<const std::size_t> rows, const T* out, T* d_out) {
            batch_y.resize(rows.size());
            for (std::size_t i = 0; i < rows.size(); ++i) batch_y[i] = y[rows[i]];
            return softmax_cross_entropy<T>(out, batch_y, c, d_out);
        },
        [&](const head<T>& hh) { return detail::classification_scores(hh, x_val, y_val, pool); });
}

// Regression with mean squared error; targets [n, output_dim] (y_val may be [0, output_dim]).
// epoch_report::val_accuracy stays NaN; val_loss is the validation MSE.
template <class T, class X, class XV>
fit_result fit_regressor(head<T>& h, const X& x, tensor_view<const T> y, const XV& x_val, tensor_view<const T> y_val,
                         const fit_options& opt, thread_pool* pool = nullptr) {
    const std::size_t k = h.output_dim();
    const auto check_targets = [&](const tensor_view<const T>& t, const char* what) {
        require(t.rank() == 2 && t.extent(1) == k && t.is_contiguous(), error_kind::invalid_argument,
                [&] { return std::string(what) + ": targets must be contiguous [n, " + std::to_string(k) + "]"; });
        check_input(t, what);
    };
    check_targets(y, "fit_regressor: training targets");
    check_targets(y_val, "fit_regressor: validation targets");
    const std::size_t n_val = y_val.extent(0);
    detail::check_rows(h, x, y.extent(0), "fit_regressor: training set");
    detail::check_rows(h, x_val, n_val, "fit_regressor: validation set");
    std::vector<T> batch_t;
    return detail::fit(
        h, x, n_val, opt, pool,
        [&](std::span<const std::size_t> rows, const T* out, T* d_out) {
            batch_t.resize(rows.size() * k);
            for (std::size_t i = 0; i < rows.size(); ++i)
                std::copy_n(y.data() + rows[i] * k, k, batch_t.data() + i * k);
            return mean_squared_error<T>(out, batch_t.data(), rows.size() * k, d_out);
        },
        [&](const head<T>& hh) {
            const tensor<T> pred = hh.predict(x_val, pool);
            const double mse = double(mean_squared_error<T>(pred.data(), y_val.data(), pred.numel(), nullptr));
            return std::pair<double, double>(mse, std::numeric_limits<double>::quiet_NaN());
        });
}

}  // namespace tessera::train
