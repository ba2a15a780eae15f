#pragma once
// Test helper: the PyTorch goldens of tools/reference/make_attention_goldens.py
// (goldens.json: name -> shape and offset in floats into goldens.bin) and the comparison
// the acceptance criteria name: NMSE = Σ(got − want)² / Σ want² <= 1e-10 and
// max |got − want| <= 1e-4 × scale, scale = max |want|. Achieved figures are printed.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/tensor.hpp"

namespace golden {

class store {
public:
    static const store& get() {
        static const store s;
        return s;
    }
    tessera::tensor<float> operator()(const std::string& name) const {
        const auto it = index_.find(name);
        if (it == index_.end()) throw std::runtime_error("golden tensor missing: " + name);
        tessera::tensor<float> t(it->second.first);
        std::copy_n(data_.data() + it->second.second, t.numel(), t.data());
        return t;
    }

private:
    store() {
        const auto dir = std::filesystem::path(__FILE__).parent_path();
        std::ifstream js(dir / "goldens.json");
        const nlohmann::json j = nlohmann::json::parse(js);
        for (const auto& [name, e] : j.at("tensors").items()) {
            std::vector<std::size_t> dims = e.at("shape").get<std::vector<std::size_t>>();
            index_[name] = {tessera::shape::from_range(dims.begin(), dims.end()), e.at("offset").get<std::size_t>()};
        }
        std::ifstream bin(dir / "goldens.bin", std::ios::binary);
        bin.seekg(0, std::ios::end);
        data_.resize(std::size_t(bin.tellg()) / sizeof(float));
        bin.seekg(0);
        bin.read(reinterpret_cast<char*>(data_.data()), std::streamsize(data_.size() * sizeof(float)));
        if (!bin) throw std::runtime_error("cannot read goldens.bin");
    }
    std::map<std::string, std::pair<tessera::shape, std::size_t>> index_;
    std::vector<float> data_;  // the file is little-endian float32, as are the machines we build for
};

struct figures {
    double nmse = 0, max_abs = 0, scale = 0;
};

// Element by element over equal shapes (any strides, rank <= 3).
inline figures compare(tessera::tensor_view<const float> got, tessera::tensor_view<const float> want) {
    REQUIRE(got.dims() == want.dims());
    figures f;
    double num = 0, den = 0;
    const auto visit = [&](float g, float w) {
        const double d = double(g) - double(w);
        num += d * d;
        den += double(w) * double(w);
        f.max_abs = std::max(f.max_abs, std::fabs(d));
        f.scale = std::max(f.scale, std::fabs(double(w)));
        if (!(g == g)) f.max_abs = INFINITY;  // NaN fails every bound
    };
    const auto r = got.rank();
    const std::size_t n0 = r > 0 ? got.extent(0) : 1, n1 = r > 1 ? got.extent(1) : 1, n2 = r > 2 ? got.extent(2) : 1;
    REQUIRE(r <= 3);
    for (std::size_t i = 0; i < n0; ++i)
        for (std::size_t j = 0; j < n1; ++j)
            for (std::size_t k = 0; k < n2; ++k) {
                std::size_t og = 0, ow = 0;
                if (r > 0) og += i * got.stride(0), ow += i * want.stride(0);
                if (r > 1) og += j * got.stride(1), ow += j * want.stride(1);
                if (r > 2) og += k * got.stride(2), ow += k * want.stride(2);
                visit(got.data()[og], want.data()[ow]);
            }
    f.nmse = den > 0 ? num / den : num;
    if (f.max_abs == INFINITY) f.nmse = INFINITY;
    return f;
}

// The acceptance check, with the figures printed for the report.
inline figures check(const std::string& what, tessera::tensor_view<const float> got,
                     tessera::tensor_view<const float> want) {
    const figures f = compare(got, want);
    char line[256];
    std::snprintf(line, sizeof line, "%-34s NMSE %.3e  max|d| %.3e  (scale %.3g, max|d|/scale %.3e)", what.c_str(),
                  f.nmse, f.max_abs, f.scale, f.scale > 0 ? f.max_abs / f.scale : f.max_abs);
    MESSAGE(line);
    CHECK_MESSAGE(f.nmse <= 1e-10, what);
    CHECK_MESSAGE(f.max_abs <= 1e-4 * f.scale, what);
    return f;
}

}  // namespace golden
