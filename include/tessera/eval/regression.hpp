#pragma once
// Regression metrics over n paired values (flatten multi-output targets first):
//   mse = (1/n) Σ (pred − true)²        mae = (1/n) Σ |pred − true|
// (scikit-learn's mean_squared_error / mean_absolute_error with uniform weights). Sums are
// in double in index order.
#include <cmath>
#include <cstddef>
#include <span>
#include <string>

#include "tessera/core/error.hpp"

namespace tessera::eval {

namespace detail {
template <class T, class F>
double mean_of(std::span<const T> y_true, std::span<const T> y_pred, const char* what, F f) {
    require(y_true.size() == y_pred.size() && !y_true.empty(), error_kind::invalid_argument,
            [&] { return std::string(what) + ": needs as many predictions as targets, and at least one"; });
    double s = 0;
    for (std::size_t i = 0; i < y_true.size(); ++i) s += f(double(y_pred[i]) - double(y_true[i]));
    return s / double(y_true.size());
}
}  // namespace detail

inline double mean_squared_error(std::span<const double> y_true, std::span<const double> y_pred) {
    return detail::mean_of(y_true, y_pred, "mean_squared_error", [](double e) { return e * e; });
}
inline double mean_squared_error(std::span<const float> y_true, std::span<const float> y_pred) {
    return detail::mean_of(y_true, y_pred, "mean_squared_error", [](double e) { return e * e; });
}

inline double mean_absolute_error(std::span<const double> y_true, std::span<const double> y_pred) {
    return detail::mean_of(y_true, y_pred, "mean_absolute_error", [](double e) { return std::abs(e); });
}
inline double mean_absolute_error(std::span<const float> y_true, std::span<const float> y_pred) {
    return detail::mean_of(y_true, y_pred, "mean_absolute_error", [](double e) { return std::abs(e); });
}

}  // namespace tessera::eval
