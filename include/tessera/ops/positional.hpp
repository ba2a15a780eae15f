#pragma once
// Positional encodings: sinusoidal (the original Transformer), learned absolute positions
// (a table lookup added to the embeddings), and rotary embeddings (RoPE) in both layouts.
//
// Sinusoidal (Vaswani et al. 2017, §3.5), for pair index i = 0, 1, ... and model width d:
//     PE(pos, 2i) = sin(pos / 10000^(2i/d)),   PE(pos, 2i+1) = cos(pos / 10000^(2i/d)).
// Computed in double and rounded once (an odd d ends with a lone sin column).
//
// RoPE (Su et al., RoFormer). Pair j of a head vector, (a, b), is rotated by the angle
// pos·ω_j with ω_j = θ^(−2j/r) (r = rotary dims, θ = base):
//     [a']   [cos −sin] [a]      a' = a·cos − b·sin
//     [b'] = [sin  cos] [b],     b' = b·cos + a·sin.
// Rotations compose by adding angles, so the score between a query rotated at position m
// and a key rotated at n, ⟨R(mω)q, R(nω)k⟩ = ⟨q, R((n−m)ω)k⟩, depends on n − m only: that
// is the point of RoPE. The layouts differ only in which two dims form pair j:
//   interleaved (GPT-J, the RoFormer paper):  (x[2j], x[2j+1])
//   half_split  (GPT-NeoX, Llama, HF rotate_half):  (x[j], x[j + r/2])
// Partial rotary (r < head_dim) rotates the first r dims and leaves the rest as they are.
// Scaling of the frequencies ω_j:
//   linear (position interpolation): pos/factor, i.e. ω_j/factor;
//   ntk (NTK-aware): θ' = θ·factor^(r/(r−2)), so the lowest frequency is divided by exactly
//     `factor` while the highest is nearly unchanged;
//   llama3: ω_j kept for wavelengths 2π/ω_j below L/high_freq_factor, divided by factor
//     above L/low_freq_factor, and blended linearly in between (L = original context).
//
// Precision: the angles follow HF transformers' float32 pipeline (ω_j rounded to float,
// pos·ω_j one float product, then cos/sin), so a model matches its HF reference at every
// position instead of drifting by the float32 rounding of large angles; cos/sin of that
// float angle are computed in double and rounded once.
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"

namespace tessera::ops {

// ---- sinusoidal ------------------------------------------------------------------------

// out[i, :] = PE(pos0 + i, :).  out [n, d], unit stride along d.
inline void sinusoidal_positions(tensor_view<float> out, std::size_t pos0 = 0) {
    require(out.rank() == 2 && (out.extent(1) <= 1 || out.stride(1) == 1), error_kind::invalid_argument, [&] {
        return "sinusoidal_positions: out " + out.dims().to_string() + " must be [n, d] with unit stride along d";
    });
    const std::size_t n = out.extent(0), d = out.extent(1);
    std::vector<double> inv_freq((d + 1) / 2);
    for (std::size_t i = 0; i < inv_freq.size(); ++i) inv_freq[i] = std::pow(10000.0, -double(2 * i) / double(d));
    for (std::size_t r = 0; r < n; ++r) {
        float* row = out.data() + r * out.stride(0);
        const double pos = double(pos0 + r);
        for (std::size_t i = 0; i < inv_freq.size(); ++i) {
            const double a = pos * inv_freq[i];
            row[2 * i] = float(std::sin(a));
            if (2 * i + 1 < d) row[2 * i + 1] = float(std::cos(a));
        }
    }
}

// x[i, :] += PE(pos0 + i, :).  x [n, d].
inline void add_sinusoidal_positions(tensor_view<float> x, std::size_t pos0 = 0) {
    require(x.rank() == 2, error_kind::invalid_argument,
            [&] { return "add_sinusoidal_positions: x " + x.dims().to_string() + " must be [n, d]"; });
    tensor<float> pe(shape{x.extent(0), x.extent(1)});
    sinusoidal_positions(pe.view(), pos0);
    for (std::size_t r = 0; r < x.extent(0); ++r)
        for (std::size_t c = 0; c < x.extent(1); ++c) x(r, c) += pe(r, c);
}

// ---- learned absolute positions -------------------------------------------------------

// x[i, :] += table[pos0 + i, :].  x [n, d], table [max_positions, d] (BERT's and GPT-2's
// position embeddings). Positions past the table are a context_overflow.
inline void add_learned_positions(tensor_view<float> x, tensor_view<const float> table, std::size_t pos0 = 0) {
    require(x.rank() == 2 && table.rank() == 2 && x.extent(1) == table.extent(1), error_kind::invalid_argument, [&] {
        return "add_learned_positions: x " + x.dims().to_string() + " and table " + table.dims().to_string() +
               " must be [n, d] and [max_positions, d]";
    });
    require(pos0 <= table.extent(0) && x.extent(0) <= table.extent(0) - pos0, error_kind::context_overflow, [&] {
        return "add_learned_positions: positions " + std::to_string(pos0) + ".." + std::to_string(pos0 + x.extent(0)) +
               " exceed the " + std::to_string(table.extent(0)) + " learned positions";
    });
    for (std::size_t r = 0; r < x.extent(0); ++r)
        for (std::size_t c = 0; c < x.extent(1); ++c) x(r, c) += table(pos0 + r, c);
}

// ---- RoPE ------------------------------------------------------------------------------

enum class rope_layout { half_split, interleaved };
enum class rope_scaling { none, linear, ntk, llama3 };

struct rope_config {
    std::size_t head_dim = 0;
    std::size_t rotary_dim = 0;  // 0 means head_dim; must be even
    float theta = 10000.0f;      // base
    rope_layout layout = rope_layout::half_split;
    rope_scaling scaling = rope_scaling::none;
    float factor = 1.0f;  // linear, ntk, llama3
    // llama3 only (HF rope_scaling: low_freq_factor, high_freq_factor, original_max_position_embeddings)
    float low_freq_factor = 1.0f;
    float high_freq_factor = 4.0f;
    std::size_t original_max_positions = 8192;

    std::size_t rotated() const noexcept { return rotary_dim ? rotary_dim : head_dim; }
};

inline void validate(const rope_config& c) {
    const std::size_t r = c.rotated();
    require(c.head_dim > 0 && r % 2 == 0 && r > 0 && r <= c.head_dim, error_kind::invalid_argument, [&] {
        return "rope: rotary_dim " + std::to_string(r) + " must be even, > 0 and <= head_dim " +
               std::to_string(c.head_dim);
    });
    require(std::isfinite(c.theta) && c.theta > 0.0f, error_kind::invalid_argument, "rope: theta must be finite and > 0");
    if (c.scaling != rope_scaling::none)
        require(std::isfinite(c.factor) && c.factor > 0.0f, error_kind::invalid_argument,
                "rope: scaling factor must be finite and > 0");
    if (c.scaling == rope_scaling::ntk)
        require(r > 2, error_kind::invalid_argument, "rope: NTK scaling needs rotary_dim > 2");
    if (c.scaling == rope_scaling::llama3)
        require(std::isfinite(c.low_freq_factor) && std::isfinite(c.high_freq_factor) && c.low_freq_factor > 0.0f &&
                    c.high_freq_factor > c.low_freq_factor && c.original_max_positions > 0,
                error_kind::invalid_argument,
                "rope: llama3 scaling needs 0 < low_freq_factor < high_freq_factor and original_max_positions > 0");
}

// ω_j for j < rotary_dim/2, float32 as HF computes it (see the header comment).
inline std::vector<float> rope_inv_freq(const rope_config& c) {
    validate(c);
    const std::size_t r = c.rotated();
    // HF raises a float32 base (torch casts the Python float) to float32 exponents.
    float base = c.theta;
    if (c.scaling == rope_scaling::ntk) base = float(double(c.theta) * std::pow(double(c.factor), double(r) / double(r - 2)));
    std::vector<float> w(r / 2);
    for (std::size_t j = 0; j < w.size(); ++j) {
        const float e = float(2 * j) / float(r);
        w[j] = 1.0f / float(std::pow(base, double(e)));
    }
    if (c.scaling == rope_scaling::linear)
        for (float& x : w) x /= c.factor;
    if (c.scaling == rope_scaling::llama3) {
        const float len = float(c.original_max_positions);
        const float low_wavelen = len / c.low_freq_factor, high_wavelen = len / c.high_freq_factor;
        for (float& x : w) {
            // HF writes 2π / inv_freq, which torch evaluates as reciprocal(inv_freq) · 2π.
            const float wavelen = (1.0f / x) * float(2.0 * 3.14159265358979323846);
            if (wavelen > low_wavelen) {
                x = x / c.factor;  // long wavelengths: interpolate like linear scaling
            } else if (!(wavelen < high_wavelen)) {  // between: blend the two
                const float smooth = (len / wavelen - c.low_freq_factor) / (c.high_freq_factor - c.low_freq_factor);
                x = (1.0f - smooth) * x / c.factor + smooth * x;
            }  // short wavelengths: unchanged
        }
    }
    return w;
}

// cos/sin of pos·ω_j for a list of positions: [n, rotary_dim/2] each. Small; the caller
// owns it (per call, or cached by a session for its positions).
class rope_table {
public:
    rope_table(const rope_config& c, std::size_t pos0, std::size_t n) : config_(c) {
        std::vector<std::size_t> p(n);
        for (std::size_t i = 0; i < n; ++i) p[i] = pos0 + i;
        fill(p);
    }
    rope_table(const rope_config& c, std::span<const std::size_t> positions) : config_(c) { fill(positions); }

    const rope_config& config() const noexcept { return config_; }
    std::size_t size() const noexcept { return n_; }
    const float* cos_row(std::size_t i) const noexcept { return cos_.data() + i * half_; }
    const float* sin_row(std::size_t i) const noexcept { return sin_.data() + i * half_; }

private:
    void fill(std::span<const std::size_t> positions) {
        const std::vector<float> w = rope_inv_freq(config_);
        n_ = positions.size();
        half_ = w.size();
        cos_.resize(n_ * half_);
        sin_.resize(n_ * half_);
        for (std::size_t i = 0; i < n_; ++i)
            for (std::size_t j = 0; j < half_; ++j) {
                const float angle = float(positions[i]) * w[j];
                cos_[i * half_ + j] = float(std::cos(double(angle)));
                sin_[i * half_ + j] = float(std::sin(double(angle)));
            }
    }

    rope_config config_;
    std::size_t n_ = 0, half_ = 0;
    std::vector<float> cos_, sin_;
};

// Rotates x in place: x [n, heads, head_dim] (strided in the first two dims, unit stride
// along head_dim); row i uses table row i.
inline void apply_rope(tensor_view<float> x, const rope_table& t) {
    const rope_config& c = t.config();
    require(x.rank() == 3 && x.extent(0) == t.size() && x.extent(2) == c.head_dim &&
                (x.extent(2) <= 1 || x.stride(2) == 1),
            error_kind::invalid_argument, [&] {
                return "apply_rope: x " + x.dims().to_string() + " must be [" + std::to_string(t.size()) +
                       ", heads, " + std::to_string(c.head_dim) + "] with unit stride along head_dim";
            });
    const std::size_t half = c.rotated() / 2;
    const bool interleaved = c.layout == rope_layout::interleaved;
    for (std::size_t i = 0; i < x.extent(0); ++i) {
        const float* cs = t.cos_row(i);
        const float* sn = t.sin_row(i);
        for (std::size_t h = 0; h < x.extent(1); ++h) {
            float* p = x.data() + i * x.stride(0) + h * x.stride(1);
            for (std::size_t j = 0; j < half; ++j) {
                float& a = interleaved ? p[2 * j] : p[j];
                float& b = interleaved ? p[2 * j + 1] : p[j + half];
                const float a0 = a, b0 = b;
                a = a0 * cs[j] - b0 * sn[j];
                b = b0 * cs[j] + a0 * sn[j];
            }
        }
    }
}

}  // namespace tessera::ops
