#pragma once
// save_head / load_head: a trained head as one .safetensors file.
//
//   train::save_head("sentiment.safetensors", h, {{"labels", "negative,positive"}});
//   train::loaded_head<float> l = train::load_head<float>("sentiment.safetensors");   // l.model, l.metadata
//
// File contents (any safetensors reader opens it):
//   dense0.weight [out0, in]    dense0.bias [out0]                 (out0 = hidden or output size)
//   dense1.weight [out, hidden] dense1.bias [out]                  (mlp only)
//   dtype F32 for head<float>, F64 for head<double>
//   __metadata__: "tessera.head" = "linear" | "mlp", "tessera.head.activation" = "relu" | "gelu"
//                 (mlp), and whatever the caller adds (keys starting "tessera." are reserved).
// load_head validates before building anything: the kind, every expected tensor present and
// no other, dtype, rank, that the shapes chain (bias = rows of its weight, dense1's columns =
// dense0's rows), and finite values. Each failure is a tessera::error naming the file and
// the tensor. Gradients of a loaded head start at zero.
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/limits.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/io/safetensors_file.hpp"
#include "tessera/io/safetensors_header.hpp"
#include "tessera/io/safetensors_writer.hpp"
#include "tessera/train/activation.hpp"
#include "tessera/train/dense_layer.hpp"
#include "tessera/train/head.hpp"

namespace tessera::train {

template <class T>
void save_head(const std::filesystem::path& path, const head<T>& h, const io::safetensors_metadata& extra = {}) {
    io::safetensors_metadata meta;
    for (const auto& entry : extra) {
        const std::string& key = entry.first;
        require(!key.starts_with("tessera."), error_kind::invalid_argument,
                [&] { return "save_head: metadata key \"" + key + "\" is reserved"; });
        meta[key] = entry.second;
    }
    meta["tessera.head"] = std::string(to_string(h.config().kind));
    if (h.config().kind == head_kind::mlp) meta["tessera.head.activation"] = std::string(to_string(h.config().act));
    std::vector<io::safetensors_tensor_ref> refs;
    for (std::size_t i = 0; i < h.layers().size(); ++i) {
        const auto& l = h.layers()[i];
        refs.emplace_back("dense" + std::to_string(i) + ".weight", l.weight.view());
        refs.emplace_back("dense" + std::to_string(i) + ".bias", l.bias.view());
    }
    io::save_safetensors(path, std::span<const io::safetensors_tensor_ref>(refs), meta);
}

template <class T>
struct loaded_head {
    head<T> model;
    io::safetensors_metadata metadata;  // everything in __metadata__, tessera.* keys included
};

template <class T>
loaded_head<T> load_head(const std::filesystem::path& path, const limits& lim = {}) {
    const io::safetensors_file f(path.string(), lim);
    const std::string what = "load_head: " + path.string();
    const auto& meta = f.metadata();
    const auto kind_it = meta.find("tessera.head");
    require(kind_it != meta.end(), error_kind::malformed, [&] { return what + ": no \"tessera.head\" metadata (not a tessera head)"; });
    head_config cfg;
    try {
        cfg.kind = parse_head_kind(kind_it->second);
        if (cfg.kind == head_kind::mlp) {
            const auto act = meta.find("tessera.head.activation");
            require(act != meta.end(), error_kind::malformed, "no \"tessera.head.activation\" metadata");
            cfg.act = parse_activation(act->second);
        }
    } catch (const error& e) {
        const std::string msg = e.what();  // "<kind>: <message>"
        throw error(e.kind(), what + ": " + msg.substr(to_string(e.kind()).size() + 2));
    }
    const std::size_t n_layers = cfg.kind == head_kind::linear ? 1 : 2;
    for (const auto& t : f.tensors()) {
        bool expected = false;
        for (std::size_t i = 0; i < n_layers; ++i)
            expected |= t.name == "dense" + std::to_string(i) + ".weight" || t.name == "dense" + std::to_string(i) + ".bias";
        require(expected, error_kind::inconsistent, [&] {
            return what + ": unexpected tensor \"" + t.name + "\" in a " + std::string(to_string(cfg.kind)) + " head";
        });
    }
    const dtype want = io::element_dtype<T>();
    std::vector<dense_layer<T>> layers;
    std::size_t prev_out = 0;
    for (std::size_t i = 0; i < n_layers; ++i) {
        const std::string wname = "dense" + std::to_string(i) + ".weight", bname = "dense" + std::to_string(i) + ".bias";
        for (const std::string& name : {wname, bname}) {
            const auto* t = f.find(name);
            require(t != nullptr, error_kind::inconsistent, [&] { return what + ": tensor \"" + name + "\" is missing"; });
            require(t->type == want, error_kind::inconsistent, [&] {
                return what + ": tensor \"" + name + "\" is " + std::string(io::safetensors_dtype_name(t->type)) + ", expected " +
                       std::string(io::safetensors_dtype_name(want));
            });
        }
        const auto& w = f.info(wname);
        const auto& b = f.info(bname);
        require(w.dims.rank() == 2 && w.dims[0] > 0 && w.dims[1] > 0, error_kind::inconsistent,
                [&] { return what + ": tensor \"" + wname + "\" has shape " + w.dims.to_string() + ", expected [out, in] > 0"; });
        require(b.dims == shape{w.dims[0]}, error_kind::inconsistent, [&] {
            return what + ": tensor \"" + bname + "\" has shape " + b.dims.to_string() + ", expected [" +
                   std::to_string(w.dims[0]) + "] (the rows of " + wname + ")";
        });
        require(i == 0 || w.dims[1] == prev_out, error_kind::inconsistent, [&] {
            return what + ": tensor \"" + wname + "\" has " + std::to_string(w.dims[1]) + " columns, expected " +
                   std::to_string(prev_out) + " (the rows of dense" + std::to_string(i - 1) + ".weight)";
        });
        prev_out = w.dims[0];
        dense_layer<T> l(w.dims[1], w.dims[0]);
        l.weight = f.load<T>(wname);
        l.bias = f.load<T>(bname);
        for (const auto* t : {&l.weight, &l.bias})
            for (T v : t->span())
                require(std::isfinite(v), error_kind::invalid_data, [&] {
                    return what + ": tensor \"" + (t == &l.weight ? wname : bname) + "\" holds a non-finite value";
                });
        layers.push_back(std::move(l));
    }
    cfg.input_dim = layers[0].in();
    cfg.output_dim = layers.back().out();
    cfg.hidden_dim = n_layers == 2 ? layers[0].out() : 0;
    return {head<T>(cfg, std::move(layers)), meta};
}

}  // namespace tessera::train
