#pragma once
// Scalar reference quantizers f32 -> Q8_0, Q4_0, Q4_1 (plus the F32/F16/BF16 encodings),
// round-to-nearest exactly as ggml's quantize_row_*_ref and gguf-py's quants.py do. They
// exist to build test files and small models; production model files come quantized.
//
// Each block of 32 values gets one scale chosen from the block's range:
//   Q8_0: d = amax / 127, q = round(x / d) (half away from zero), so q in -127..127.
//   Q4_0: m = the value of largest magnitude (sign kept), d = m / -8, q = min(15, trunc(x / d + 8.5)):
//         m itself maps to code 0, the opposite extreme to about 16 and is clamped to 15.
//   Q4_1: d = (max - min) / 15, m = min, q = min(15, trunc((x - min) / d + 0.5)).
// "x / d" is computed as x * (1 / d) (0 when d == 0), as the references do, and the
// scales are stored as f16 (round to nearest even) after the codes are chosen with the
// f32 scale. Bit-exactness with ggml assumes x * id and the following add are rounded
// separately; a compiler that fuses them into an FMA can move a code by one in rare ties.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/dtype.hpp"
#include "tessera/core/error.hpp"
#include "tessera/ops/quant_blocks.hpp"

namespace tessera::ops {

namespace detail {
// float -> int conversion that is defined for every input: NaN gives `lo`, and values are
// clamped in float first (a float-to-int cast of an out-of-range value is UB).
inline int trunc_clamped(float v, int lo, int hi) noexcept {
    if (!(v > float(lo))) return lo;
    if (v >= float(hi)) return hi;
    return int(v);  // truncates toward zero, like the references' (int8_t) casts
}
}  // namespace detail

// x: n_blocks * 32 floats; dst: n_blocks * 34 bytes.
inline void quantize_row_q8_0(const float* x, std::byte* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, x += 32, dst += sizeof(block_q8_0)) {
        float amax = 0.0f;
        for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        block_q8_0 blk;
        blk.d = to_f16(d);
        for (int j = 0; j < 32; ++j) {
            const float r = std::round(x[j] * id);  // half away from zero, as roundf
            blk.qs[j] = static_cast<std::int8_t>(std::isnan(r) ? 0 : std::clamp(r, -127.0f, 127.0f));
        }
        std::memcpy(dst, &blk, sizeof blk);
    }
}

// x: n_blocks * 32 floats; dst: n_blocks * 18 bytes.
inline void quantize_row_q4_0(const float* x, std::byte* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, x += 32, dst += sizeof(block_q4_0)) {
        float amax = 0.0f, max = 0.0f;  // first value of largest magnitude, sign kept
        for (int j = 0; j < 32; ++j)
            if (amax < std::fabs(x[j])) {
                amax = std::fabs(x[j]);
                max = x[j];
            }
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        block_q4_0 blk;
        blk.d = to_f16(d);
        for (int j = 0; j < 16; ++j) {
            const int q0 = detail::trunc_clamped(x[j] * id + 8.5f, 0, 15);
            const int q1 = detail::trunc_clamped(x[j + 16] * id + 8.5f, 0, 15);
            blk.qs[j] = static_cast<std::uint8_t>(q0 | q1 << 4);
        }
        std::memcpy(dst, &blk, sizeof blk);
    }
}

// x: n_blocks * 32 floats; dst: n_blocks * 20 bytes.
inline void quantize_row_q4_1(const float* x, std::byte* dst, std::size_t n_blocks) noexcept {
    for (std::size_t b = 0; b < n_blocks; ++b, x += 32, dst += sizeof(block_q4_1)) {
        float min = x[0], max = x[0];
        for (int j = 1; j < 32; ++j) {
            min = std::min(min, x[j]);
            max = std::max(max, x[j]);
        }
        const float d = (max - min) / 15.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        block_q4_1 blk;
        blk.d = to_f16(d);
        blk.m = to_f16(min);
        for (int j = 0; j < 16; ++j) {
            const int q0 = detail::trunc_clamped((x[j] - min) * id + 0.5f, 0, 15);
            const int q1 = detail::trunc_clamped((x[j + 16] - min) * id + 0.5f, 0, 15);
            blk.qs[j] = static_cast<std::uint8_t>(q0 | q1 << 4);
        }
        std::memcpy(dst, &blk, sizeof blk);
    }
}

// Whether `quantize` can produce `type`.
constexpr bool can_quantize(ggml_type type) noexcept {
    switch (type) {
    case ggml_type::f32: case ggml_type::f16: case ggml_type::bf16:
    case ggml_type::q8_0: case ggml_type::q4_0: case ggml_type::q4_1: return true;
    default: return false;
    }
}

// Encodes `x` as `type`. x.size() must be a multiple of the block size. For the block
// types x must also be finite (one NaN or Inf would make its block's scale meaningless, so
// it is refused up front); F32/F16/BF16 keep NaN and Inf as they are.
inline std::vector<std::byte> quantize(ggml_type type, std::span<const float> x) {
    const auto tr = traits_of(type);
    require(can_quantize(type), error_kind::unsupported,
            [&] { return "quantize: no quantizer for ggml type " + std::string(tr.name); });
    require(x.size() % tr.block_size == 0, error_kind::invalid_argument, [&] {
        return "quantize: " + std::to_string(x.size()) + " values is not a multiple of the " + std::string(tr.name) +
               " block size " + std::to_string(tr.block_size);
    });
    if (type != ggml_type::f32 && type != ggml_type::f16 && type != ggml_type::bf16)
        for (std::size_t i = 0; i < x.size(); ++i)
            require(std::isfinite(x[i]), error_kind::invalid_argument,
                    [&] { return "quantize: value " + std::to_string(i) + " is NaN or Inf"; });
    const std::size_t n_blocks = x.size() / tr.block_size;
    std::vector<std::byte> out(n_blocks * tr.type_size);
    switch (type) {
    case ggml_type::f32:
        if (!x.empty()) std::memcpy(out.data(), x.data(), out.size());
        break;
    case ggml_type::f16:
        for (std::size_t i = 0; i < x.size(); ++i) {
            const f16 h = to_f16(x[i]);
            std::memcpy(out.data() + 2 * i, &h, 2);
        }
        break;
    case ggml_type::bf16:
        for (std::size_t i = 0; i < x.size(); ++i) {
            const bf16 h = to_bf16(x[i]);
            std::memcpy(out.data() + 2 * i, &h, 2);
        }
        break;
    case ggml_type::q8_0: quantize_row_q8_0(x.data(), out.data(), n_blocks); break;
    case ggml_type::q4_0: quantize_row_q4_0(x.data(), out.data(), n_blocks); break;
    case ggml_type::q4_1: quantize_row_q4_1(x.data(), out.data(), n_blocks); break;
    default: break;
    }
    return out;
}

}  // namespace tessera::ops
