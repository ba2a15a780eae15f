#pragma once
// A product catalog: products (string id, text, typed attributes) with one embedding
// each, searched by similarity with attribute filters applied during the search.
//
// Embeddings are [n, dim] f32, one row per product in insertion order (row = the hit's
// corpus_id). Under cosine they are stored normalised, and queries are normalised too,
// so the score is the dot product of unit vectors (a zero vector scores 0).
//
// Filtered search: the filter is evaluated once per search into a row mask; the exact
// scan then scores only matching rows, so a filter matching m rows returns exactly
// min(k, m) hits. With an HNSW index built (build_index) and a filter that keeps many
// rows, the index is searched with the mask as its predicate; if it finds fewer than
// min(k, m) rows (a selective filter cuts the graph), the exact scan of the matching rows
// answers instead, so the min(k, m) guarantee holds either way.
//
// Exact scans read int8 codes of the embeddings (search/int8_codes.hpp) where the
// translation unit has AVX-512 VNNI: the same hits as the f32 scan, a quarter of the bytes
// read; the codes take n·(d + 24) more bytes of memory and are rebuilt on load, never saved.
//
// Files: save/load write the index_file container with sections META (dim, metric,
// count), PROD (products), EMBD (embeddings) and, when built, HNSW (the graph). load
// validates everything (hostile-input safe) before the catalog is returned.
#include <cstddef>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/tensor.hpp"
#include "tessera/core/thread_pool.hpp"
#include "tessera/io/byte_reader.hpp"
#include "tessera/io/mapped_file.hpp"
#include "tessera/search/filter.hpp"
#include "tessera/search/hnsw.hpp"
#include "tessera/search/index_file.hpp"
#include "tessera/search/int8_codes.hpp"
#include "tessera/search/topk.hpp"

namespace tessera::search {

struct catalog_search_options {
    thread_pool* pool = nullptr;
    bool use_index = true;             // use the HNSW index when one is built
    std::size_t ef = 0;                // HNSW ef (0: the index default)
    double index_min_fraction = 0.05;  // below this share of matching rows, scan exactly
};

template <class Arch = simd::default_arch>
class basic_catalog {
public:
    // Whether exact scans go through int8 codes (the VNNI kernel is compiled in).
    static constexpr bool uses_codes = TESSERA_INT8_VNNI && simd::is_vector_arch<Arch>;
    static constexpr std::uint32_t meta_tag = index_file::tag("META"), products_tag = index_file::tag("PROD"),
                                   embeddings_tag = index_file::tag("EMBD");

    explicit basic_catalog(std::size_t dim, metric kind = metric::cosine) : dim_(dim), kind_(kind) {
        require(dim > 0, error_kind::invalid_argument, "catalog: dimension must be positive");
        if constexpr (uses_codes) codes_ = int8_codes(dim);
    }

    std::size_t size() const noexcept { return products_.size(); }
    std::size_t dim() const noexcept { return dim_; }
    metric kind() const noexcept { return kind_; }
    const product& at(std::size_t row) const {
        require(row < size(), error_kind::out_of_range, [&] { return "catalog: row " + std::to_string(row) + " of " + std::to_string(size()); });
        return products_[row];
    }
    std::optional<std::size_t> find(const std::string& id) const {
        const auto it = rows_.find(id);
        return it == rows_.end() ? std::nullopt : std::optional<std::size_t>(it->second);
    }
    std::span<const float> embedding(std::size_t row) const { return {embeddings_.data() + at_row(row) * dim_, dim_}; }
    tensor_view<const float> embeddings() const { return {embeddings_.data(), shape{size(), dim_}}; }
    const basic_hnsw_index<Arch>* index() const noexcept { return index_.get(); }

    // Adds a product; returns its row. Duplicate ids, wrong dimensions and non-finite
    // embeddings are errors (duplicate, invalid_argument, invalid_data).
    std::size_t add(product p, std::span<const float> embedding) {
        require(embedding.size() == dim_, error_kind::invalid_argument, [&] {
            return "catalog::add: embedding of " + std::to_string(embedding.size()) + " values, catalog dimension " +
                   std::to_string(dim_);
        });
        for (float v : embedding)
            require(std::isfinite(v), error_kind::invalid_data, [&] { return "catalog::add: embedding of '" + p.id + "' is not finite"; });
        require(!rows_.contains(p.id), error_kind::duplicate, [&] { return "catalog::add: product id '" + p.id + "' already present"; });
        require(std::isfinite(p.price), error_kind::invalid_data, [&] { return "catalog::add: price of '" + p.id + "' is not finite"; });
        const std::size_t row = size();
        embeddings_.insert(embeddings_.end(), embedding.begin(), embedding.end());
        if (kind_ == metric::cosine) normalize<Arch>(std::span<float>(embeddings_.data() + row * dim_, dim_));
        rows_.emplace(p.id, row);
        products_.push_back(std::move(p));
        if constexpr (uses_codes) codes_.append(this->embedding(row));
        if (index_) index_->add(this->embedding(row));
        return row;
    }

    // Builds (or rebuilds) the HNSW index over every row; later adds extend it.
    void build_index(hnsw_params p = {}) {
        p.kind = kind_;
        auto ix = std::make_unique<basic_hnsw_index<Arch>>(dim_, p);
        for (std::size_t i = 0; i < size(); ++i) ix->add(embedding(i));
        index_ = std::move(ix);
    }
    void drop_index() noexcept { index_.reset(); }

    // Rows that match f.
    row_mask match(const filter& f) const {
        row_mask m(size());
        for (std::size_t i = 0; i < size(); ++i)
            if (f.matches(products_[i])) m.set(i);
        return m;
    }

    // The best k products for the query among those matching f, best first.
    std::vector<hit> search(std::span<const float> query, std::size_t k, const filter& f = {},
                            const catalog_search_options& opt = {}) const {
        check_query(query, dim_, "catalog::search");
        if (k == 0 || size() == 0) return {};
        std::optional<row_mask> mask;
        std::size_t matching = size();
        if (!f.empty()) {
            mask = match(f);
            matching = mask->count();
            if (matching == 0) return {};
        }
        std::vector<float> q(query.begin(), query.end());
        if (kind_ == metric::cosine) normalize<Arch>(std::span<float>(q));
        if (index_ && opt.use_index && double(matching) >= opt.index_min_fraction * double(size())) {
            auto hits = mask ? index_->search_if(q, k, opt.ef, [&](std::size_t id) { return mask->test(id); })
                             : index_->search(q, k, opt.ef);
            if (hits.size() >= std::min(k, matching)) return hits;
        }
        return exact_top_k<Arch>(q, embeddings(), k,
                                 {.kind = kind_ == metric::cosine ? metric::dot : kind_, .pool = opt.pool,
                                  .mask = mask ? &*mask : nullptr, .codes = uses_codes ? &codes_ : nullptr});
    }

    // --- files ------------------------------------------------------------------------
    void save(const std::string& path) const {
        std::vector<index_file::section> s;
        index_file::byte_writer meta;
        meta.put<std::uint64_t>(dim_);
        meta.put<std::uint32_t>(static_cast<std::uint32_t>(kind_));
        meta.put<std::uint32_t>(0);
        meta.put<std::uint64_t>(size());
        s.push_back({meta_tag, std::move(meta.bytes())});
        index_file::byte_writer prod;
        for (const product& p : products_) {
            prod.put_string(p.id);
            prod.put_string(p.text);
            prod.put_string(p.category);
            prod.put<double>(p.price);
            prod.put<std::int64_t>(p.stock);
            prod.put<std::uint32_t>(static_cast<std::uint32_t>(p.tags.size()));
            for (const auto& t : p.tags) prod.put_string(t);
            prod.put<std::uint32_t>(static_cast<std::uint32_t>(p.attributes.size()));
            for (const auto& [key, value] : p.attributes) {
                prod.put_string(key);
                prod.put_string(value);
            }
        }
        s.push_back({products_tag, std::move(prod.bytes())});
        index_file::byte_writer emb;
        emb.put_bytes(embeddings_.data(), embeddings_.size() * sizeof(float));
        s.push_back({embeddings_tag, std::move(emb.bytes())});
        if (index_) {
            s.push_back({basic_hnsw_index<Arch>::section_tag, {}});
            index_->write_payload(s.back().payload);
        }
        index_file::write(path, index_file::file_kind::catalog, s);
    }

    static basic_catalog load(const std::string& path, const index_limits& lim = {}) {
        const io::mapped_file f(path, io::mapped_file::mode::read_into_memory);
        return from_bytes(f.bytes(), path, lim);
    }

    static basic_catalog from_bytes(std::span<const std::byte> bytes, const std::string& what, const index_limits& lim = {}) {
        const auto file = index_file::parse(bytes, index_file::file_kind::catalog, what, lim);
        io::byte_reader meta(file.get(meta_tag, what), what + " [META]");
        const auto dim = meta.read<std::uint64_t>();
        const auto kind = meta.read<std::uint32_t>();
        meta.read<std::uint32_t>();
        const auto count = meta.read<std::uint64_t>();
        index_file::expect_end(meta);
        if (dim == 0) throw error(error_kind::malformed, what + ": dimension 0");
        if (dim > lim.max_dim) throw error(error_kind::too_large, what + ": dimension " + std::to_string(dim) + " exceeds the cap");
        if (kind > 2) throw error(error_kind::unsupported, what + ": unknown metric " + std::to_string(kind));
        if (count > lim.max_rows) throw error(error_kind::too_large, what + ": " + std::to_string(count) + " products exceed the cap");
        basic_catalog c(dim, static_cast<metric>(kind));

        // Embeddings first: their size is fixed by META, so a wrong count shows up before
        // any product is read.
        const auto emb = file.get(embeddings_tag, what);
        if (emb.size() != checked_mul(checked_mul(count, dim, "embeddings"), 4, "embeddings"))
            throw error(error_kind::inconsistent, what + ": EMBD holds " + std::to_string(emb.size()) + " bytes, META says " +
                                                      std::to_string(count) + " × " + std::to_string(dim) + " floats");
        io::byte_reader pr(file.get(products_tag, what), what + " [PROD]");
        // Each product takes at least 36 bytes (three empty strings, price, stock, two counts).
        index_file::need_items(pr, count, 36, "products");
        c.products_.reserve(count);
        c.embeddings_.resize(count * dim);
        if (!emb.empty()) std::memcpy(c.embeddings_.data(), emb.data(), emb.size());  // an empty vector's data() may be null
        for (std::size_t i = 0; i < count; ++i) {
            product p;
            p.id = index_file::read_string(pr, lim, "product id");
            p.text = index_file::read_string(pr, lim, "product text");
            p.category = index_file::read_string(pr, lim, "category");
            p.price = pr.read<double>();
            p.stock = pr.read<std::int64_t>();
            const auto n_tags = pr.read<std::uint32_t>();
            if (n_tags > lim.max_attributes) throw error(error_kind::too_large, pr.what() + ": product " + std::to_string(i) + " has too many tags");
            for (std::uint32_t t = 0; t < n_tags; ++t)
                if (!p.tags.insert(index_file::read_string(pr, lim, "tag")).second)
                    throw error(error_kind::duplicate, pr.what() + ": product " + std::to_string(i) + " repeats a tag");
            const auto n_attrs = pr.read<std::uint32_t>();
            if (n_attrs > lim.max_attributes) throw error(error_kind::too_large, pr.what() + ": product " + std::to_string(i) + " has too many attributes");
            for (std::uint32_t a = 0; a < n_attrs; ++a) {
                std::string key = index_file::read_string(pr, lim, "attribute name");
                if (!p.attributes.emplace(std::move(key), index_file::read_string(pr, lim, "attribute value")).second)
                    throw error(error_kind::duplicate, pr.what() + ": product " + std::to_string(i) + " repeats an attribute");
            }
            if (!std::isfinite(p.price)) throw error(error_kind::invalid_data, pr.what() + ": price of product " + std::to_string(i) + " is not finite");
            if (!c.rows_.emplace(p.id, i).second) throw error(error_kind::duplicate, pr.what() + ": product id '" + p.id + "' appears twice");
            const float* e = c.embeddings_.data() + i * dim;
            for (std::size_t j = 0; j < dim; ++j)
                if (!std::isfinite(e[j])) throw error(error_kind::invalid_data, what + ": embedding " + std::to_string(i) + " is not finite");
            if (c.kind_ == metric::cosine) {
                const float nrm = norm<Arch>(e, dim);
                if (nrm != 0.0f && std::abs(nrm - 1.0f) > 1e-3f)
                    throw error(error_kind::inconsistent, what + ": cosine embedding " + std::to_string(i) + " is not normalised");
            }
            c.products_.push_back(std::move(p));
        }
        index_file::expect_end(pr);
        if constexpr (uses_codes) c.codes_ = int8_codes::build(c.embeddings());
        if (file.has(basic_hnsw_index<Arch>::section_tag)) {
            io::byte_reader hr(file.get(basic_hnsw_index<Arch>::section_tag, what), what + " [HNSW]");
            auto ix = basic_hnsw_index<Arch>::read_payload(hr, lim);
            index_file::expect_end(hr);
            if (ix.dim() != dim || ix.size() != count || ix.params().kind != c.kind_)
                throw error(error_kind::inconsistent, what + ": the HNSW section does not match the catalog (dimension, count or metric)");
            c.index_ = std::make_unique<basic_hnsw_index<Arch>>(std::move(ix));
        }
        return c;
    }

private:
    std::size_t at_row(std::size_t row) const {
        require(row < size(), error_kind::out_of_range, [&] { return "catalog: row " + std::to_string(row) + " of " + std::to_string(size()); });
        return row;
    }

    std::size_t dim_;
    metric kind_;
    std::vector<product> products_;
    std::vector<float> embeddings_;  // [n][dim]
    std::unordered_map<std::string, std::size_t> rows_;
    std::unique_ptr<basic_hnsw_index<Arch>> index_;
    int8_codes codes_;  // of embeddings_, when uses_codes
};

using catalog = basic_catalog<>;

}  // namespace tessera::search
