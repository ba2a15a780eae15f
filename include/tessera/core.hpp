#pragma once
// Umbrella for the core layer.
#include "tessera/core/aligned.hpp"
#include "tessera/core/checked_math.hpp"
#include "tessera/core/dtype.hpp"
#include "tessera/core/eigen_interop.hpp"
#include "tessera/core/error.hpp"
#include "tessera/core/shape.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
