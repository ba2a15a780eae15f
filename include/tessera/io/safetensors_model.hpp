#pragma once
// safetensors_model: one lookup over a checkpoint that is a single model.safetensors or
// several shards named by model.safetensors.index.json:
//
//   { "metadata": { "total_size": 1234 },
//     "weight_map": { "lm_head.weight": "model-00002-of-00002.safetensors", ... } }
//
// The index is untrusted like any model file. Shard names must be plain file names inside
// the model directory (no '/', '\', "..", "." or absolute paths), and by default a shard that
// is a symlink resolving outside the directory is refused too (Hugging Face's hub cache
// links snapshot files to ../../blobs/: set allow_links_outside_directory for that layout).
// Every shard is validated as a safetensors_file; then every weight_map entry must be in
// the shard it names, no tensor may be in two shards, and no shard may hold a tensor the
// weight_map does not list. Immutable after construction; share across threads.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "tessera/core/error.hpp"
#include "tessera/core/limits.hpp"
#include "tessera/io/json_guard.hpp"
#include "tessera/io/mapped_file.hpp"
#include "tessera/io/safetensors_file.hpp"

namespace tessera::io {

struct safetensors_model_options {
    limits lim;
    mapped_file::mode mode = mapped_file::mode::map;
    bool allow_links_outside_directory = false;
    // Scan every floating-point tensor for NaN/Inf once the files are open (validate_finite()).
    bool validate_finite = false;
};

// Where a tensor of the model lives.
struct safetensors_model_entry {
    std::size_t shard = 0;                          // index into shards()
    const safetensors_tensor_info* info = nullptr;  // owned by that shard
};

namespace detail {

// model.safetensors.index.json, read by SAX: weight_map (string -> string, duplicates
// refused) and the scalar values of metadata as text. Other top-level keys are skipped.
class safetensors_index_handler : public sax_failure_slot {
public:
    using json = nlohmann::json;

    safetensors_index_handler(const limits& lim, const std::string& what) : lim_(lim), what_(what) {}

    std::map<std::string, std::string, std::less<>> weight_map;  // tensor -> shard file name
    safetensors_metadata metadata;
    bool has_weight_map = false;

    bool start_object(std::size_t) {
        switch (state_) {
        case where::start: state_ = where::top; return true;
        case where::top:
            if (key_ == "weight_map") return enter(has_weight_map, where::weight_map);
            if (key_ == "metadata") return enter(has_metadata_, where::metadata);
            return begin_skip(where::top);
        case where::skip: ++skip_depth_; return true;
        case where::metadata: return begin_skip(where::metadata);  // nested metadata: not kept
        default: return wrong("an object");
        }
    }
    bool start_array(std::size_t) {
        switch (state_) {
        case where::top: return interpreted_key() ? wrong("an array") : begin_skip(where::top);
        case where::metadata: return begin_skip(where::metadata);
        case where::skip: ++skip_depth_; return true;
        default: return wrong("an array");
        }
    }
    bool end_object() { return end_container(); }
    bool end_array() { return end_container(); }
    bool key(std::string& k) {
        if (state_ == where::weight_map && weight_map.count(k))
            return fail(error_kind::duplicate, what_ + ": weight_map lists tensor \"" + k + "\" twice");
        if (state_ == where::weight_map && weight_map.size() >= lim_.max_tensors)
            return fail(error_kind::too_large, what_ + ": weight_map has more than " +
                                                   std::to_string(lim_.max_tensors) + " entries (limits.max_tensors)");
        if (state_ == where::metadata && metadata.count(k))
            return fail(error_kind::duplicate, what_ + ": metadata key \"" + k + "\" appears twice");
        if (state_ != where::skip) key_ = std::move(k);
        return true;
    }
    bool string(std::string& s) {
        if (state_ == where::weight_map) {
            weight_map.emplace(std::move(key_), std::move(s));
            return true;
        }
        return scalar(s, "a string");
    }
    bool number_unsigned(std::uint64_t v) { return scalar(std::to_string(v), "a number"); }
    bool number_integer(std::int64_t v) { return scalar(std::to_string(v), "a number"); }
    bool number_float(double, const std::string& text) { return scalar(text, "a number"); }
    bool boolean(bool v) { return scalar(v ? "true" : "false", "a boolean"); }
    bool null() { return scalar("null", "null"); }
    bool binary(json::binary_t&) { return wrong("binary"); }
    bool parse_error(std::size_t position, const std::string&, const json::exception& ex) {
        return fail(error_kind::malformed, json_syntax_message(what_, 0, position, ex));
    }

private:
    enum class where { start, top, metadata, weight_map, skip, done };

    bool interpreted_key() const { return key_ == "weight_map" || key_ == "metadata"; }
    bool enter(bool& seen, where next) {
        if (seen) return fail(error_kind::duplicate, what_ + ": \"" + key_ + "\" appears twice");
        seen = true;
        state_ = next;
        return true;
    }
    bool begin_skip(where back) {
        state_ = where::skip;
        skip_back_ = back;
        skip_depth_ = 1;
        return true;
    }
    bool end_container() {
        switch (state_) {
        case where::skip:
            if (--skip_depth_ == 0) state_ = skip_back_;
            return true;
        case where::metadata:
        case where::weight_map: state_ = where::top; return true;
        case where::top: state_ = where::done; return true;
        default: return fail(error_kind::malformed, what_ + ": unbalanced JSON");
        }
    }
    bool scalar(std::string text, const char* kind) {
        switch (state_) {
        case where::top: return interpreted_key() ? wrong(kind) : true;  // else: a key we do not use
        case where::skip: return true;
        case where::metadata: metadata.emplace(std::move(key_), std::move(text)); return true;
        default: return wrong(kind);
        }
    }
    bool wrong(const char* kind) {
        if (state_ == where::start)
            return fail(error_kind::malformed, what_ + ": index is " + kind + ", not a JSON object");
        if (state_ == where::weight_map)
            return fail(error_kind::malformed,
                        what_ + ": weight_map value for \"" + key_ + "\" is " + kind + ", not a shard file name");
        if (state_ == where::top)
            return fail(error_kind::malformed, what_ + ": \"" + key_ + "\" is " + kind + ", not an object");
        return fail(error_kind::malformed, what_ + ": unexpected " + kind);
    }

    const limits& lim_;
    const std::string& what_;
    where state_ = where::start, skip_back_ = where::top;
    int skip_depth_ = 0;
    std::string key_;
    bool has_metadata_ = false;
};

}  // namespace detail

class safetensors_model {
public:
    // `path`: a directory holding model.safetensors.index.json (preferred) or
    // model.safetensors; a *.index.json file; or one .safetensors file.
    explicit safetensors_model(const std::filesystem::path& path, const safetensors_model_options& options = {})
        : options_(options) {
        namespace fs = std::filesystem;
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            dir_ = path;
            if (fs::exists(path / "model.safetensors.index.json", ec)) {
                open_index(path / "model.safetensors.index.json");
            } else if (fs::exists(path / "model.safetensors", ec)) {
                open_single(resolve_in_directory("model.safetensors", path.string()));
            } else {
                throw error(error_kind::io,
                            path.string() + ": neither model.safetensors.index.json nor model.safetensors");
            }
        } else if (path.filename().string().ends_with(".index.json")) {
            dir_ = path.parent_path().empty() ? fs::path(".") : path.parent_path();
            open_index(path);
        } else {
            dir_ = path.parent_path();
            open_single(path);
        }
        if (options_.validate_finite) validate_finite();
    }

    // Opt-in NaN/Inf validation of every shard (safetensors_file::validate_finite): throws
    // invalid_data naming the shard file, the tensor and the first non-finite element.
    void validate_finite() const {
        for (const auto& s : shards_) s.validate_finite();
    }

    const std::filesystem::path& directory() const noexcept { return dir_; }
    // For a single file its __metadata__; for an index its "metadata" scalars as JSON text.
    const safetensors_metadata& metadata() const noexcept { return metadata_; }
    std::span<const safetensors_file> shards() const noexcept { return shards_; }

    // Every tensor: shards in file-name order, each in file order.
    std::span<const safetensors_model_entry> tensors() const noexcept { return entries_; }
    std::size_t size() const noexcept { return entries_.size(); }

    const safetensors_model_entry* find(std::string_view name) const noexcept {
        auto it = index_.find(name);
        return it == index_.end() ? nullptr : &entries_[it->second];
    }
    bool contains(std::string_view name) const noexcept { return find(name) != nullptr; }
    const safetensors_tensor_info& info(std::string_view name) const { return *entry(name).info; }
    const safetensors_file& shard_of(std::string_view name) const { return shards_[entry(name).shard]; }

    std::span<const std::byte> bytes(std::string_view name) const { return shard_of(name).bytes(name); }
    template <class T>
    tensor_view<const T> view(std::string_view name) const {
        return shard_of(name).template view<T>(name);
    }
    template <class T>
    tensor<T> load(std::string_view name) const {
        return shard_of(name).template load<T>(name);
    }
    tensor<float> load_f32(std::string_view name) const { return shard_of(name).load_f32(name); }

private:
    const safetensors_model_entry& entry(std::string_view name) const {
        if (const auto* e = find(name)) return *e;
        throw error(error_kind::out_of_range, dir_.string() + ": no tensor named \"" + std::string(name) + "\"");
    }

    // dir_/name after checking that `name` is a plain file name and, unless allowed, that
    // it does not resolve (through symlinks) outside dir_.
    std::filesystem::path resolve_in_directory(const std::string& name, const std::string& what) const {
        namespace fs = std::filesystem;
        const bool plain = !name.empty() && name != "." && name != ".." &&
                           name.find_first_of(std::string_view("/\\\0", 3)) == std::string::npos;
        if (!plain)
            throw error(error_kind::out_of_range,
                        what + ": shard name \"" + name + "\" is not a plain file name inside the model directory");
        fs::path p = dir_ / name;
        if (!options_.allow_links_outside_directory) {
            std::error_code ec1, ec2;
            const fs::path real = fs::canonical(p, ec1);
            const fs::path real_dir = fs::canonical(dir_, ec2);
            if (ec1) throw error(error_kind::io, p.string() + ": cannot resolve: " + ec1.message());
            if (ec2) throw error(error_kind::io, dir_.string() + ": cannot resolve: " + ec2.message());
            if (real.parent_path() != real_dir)
                throw error(error_kind::out_of_range,
                            what + ": shard \"" + name + "\" resolves to " + real.string() + ", outside " +
                                real_dir.string() +
                                " (a symlink; set allow_links_outside_directory for Hugging Face cache snapshots)");
        }
        return p;
    }

    void open_single(const std::filesystem::path& file) {
        shards_.emplace_back(file.string(), options_.lim, options_.mode);
        metadata_ = shards_.front().metadata();
        index_all_shards();
    }

    void open_index(const std::filesystem::path& index_path) {
        const std::string what = index_path.string();
        const mapped_file index_file(what);  // mapped: nothing is allocated before the size check
        if (index_file.size() > options_.lim.max_header_bytes)
            throw error(error_kind::too_large,
                        what + ": " + std::to_string(index_file.size()) + " bytes, over limits.max_header_bytes");
        const std::string_view text(reinterpret_cast<const char*>(index_file.data()), index_file.size());
        detail::safetensors_index_handler h(options_.lim, what);
        sax_parse_guarded(text, h, options_.lim.max_json_depth, what, 0);
        if (!h.has_weight_map) throw error(error_kind::malformed, what + ": no \"weight_map\" object");
        metadata_ = std::move(h.metadata);

        // Distinct shards, in file-name order (std::map), each checked before it is opened.
        std::map<std::string, std::size_t, std::less<>> shard_number;
        for (const auto& [tensor_name, shard_name] : h.weight_map) shard_number.emplace(shard_name, 0);
        shards_.reserve(shard_number.size());
        for (auto& [shard_name, number] : shard_number) {
            number = shards_.size();
            shards_.emplace_back(resolve_in_directory(shard_name, what).string(), options_.lim, options_.mode);
        }
        index_all_shards();

        for (const auto& [tensor_name, shard_name] : h.weight_map) {
            const auto* e = find(tensor_name);
            if (!e)
                throw error(error_kind::inconsistent, what + ": weight_map puts \"" + tensor_name + "\" in " +
                                                          shard_name + ", which does not hold it");
            if (e->shard != shard_number.find(shard_name)->second)
                throw error(error_kind::inconsistent, what + ": weight_map puts \"" + tensor_name + "\" in " +
                                                          shard_name + ", but it is in " + shards_[e->shard].name());
        }
        // Each weight_map key matched a distinct tensor, so equal counts mean no extras.
        if (entries_.size() != h.weight_map.size()) {
            for (const auto& e : entries_)
                if (!h.weight_map.count(e.info->name))
                    throw error(error_kind::inconsistent,
                                shards_[e.shard].name() + ": tensor \"" + e.info->name + "\" is not listed in " + what);
        }
    }

    // Fills entries_ and index_; a name in two shards is a `duplicate`.
    void index_all_shards() {
        for (std::size_t s = 0; s < shards_.size(); ++s) {
            for (const auto& t : shards_[s].tensors()) {
                auto [it, inserted] = index_.try_emplace(t.name, entries_.size());
                if (!inserted)
                    throw error(error_kind::duplicate, "tensor \"" + t.name + "\" is in both " +
                                                           shards_[entries_[it->second].shard].name() + " and " +
                                                           shards_[s].name());
                entries_.push_back({s, &t});
            }
        }
    }

    safetensors_model_options options_;
    std::filesystem::path dir_;
    std::vector<safetensors_file> shards_;  // reserved up front: entries_ point into them
    std::vector<safetensors_model_entry> entries_;
    name_index index_;
    safetensors_metadata metadata_;
};

}  // namespace tessera::io
