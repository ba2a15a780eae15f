#pragma once
// parameter<T>: what an optimizer sees of one trainable tensor — its values, the gradient
// of the loss with respect to them (same length), and whether weight decay applies
// (weights yes, biases no: decaying a bias only pulls the decision boundary through the
// origin and is not what L2 regularisation is for).
#include <span>
#include <string>

namespace tessera::train {

template <class T>
struct parameter {
    std::string name;
    std::span<T> value;
    std::span<const T> grad;
    bool decay = true;
};

}  // namespace tessera::train
