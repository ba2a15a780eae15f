#pragma once
// GGUF: reading (gguf_reader.hpp), writing (gguf_writer.hpp) and the shared value and
// tensor-info types (gguf_types.hpp). Block layouts and dequantization are in
// ops/quant_blocks.hpp and ops/dequantize.hpp, the reference quantizers in ops/quantize.hpp.
#include "tessera/io/gguf_reader.hpp"
#include "tessera/io/gguf_types.hpp"
#include "tessera/io/gguf_writer.hpp"
#include "tessera/ops/quantize.hpp"
