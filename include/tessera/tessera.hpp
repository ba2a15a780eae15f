#pragma once
// The umbrella header: everything tessera offers, layer by layer (docs/architecture.md).
// Include the individual headers instead to keep compile times down.
#include "tessera/version.hpp"

#include "tessera/core.hpp"
#include "tessera/simd.hpp"

#include "tessera/ops/dequantize.hpp"
#include "tessera/ops/gemm.hpp"
#include "tessera/ops/packed_matrix.hpp"
#include "tessera/ops/quant_blocks.hpp"
#include "tessera/ops/quantize.hpp"

#include "tessera/io/gguf.hpp"
#include "tessera/io/mapped_file.hpp"
#include "tessera/io/safetensors.hpp"
