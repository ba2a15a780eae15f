#pragma once
// model_config from a Hugging Face config.json (BertConfig, GPT2Config, LlamaConfig keys).
//
// The text is untrusted: its size is capped (config_limits.max_config_bytes), UTF-8 and the
// nesting depth are checked by io::check_json_text before nlohmann-json parses it, and a key
// given twice in one object is a `duplicate` (nlohmann would silently keep the last one).
// NaN/Infinity literals are not JSON: nlohmann rejects them and the error is `malformed`
// with the byte offset. A number literal too large for a double (1e999) is `out_of_range`.
//
// Keys read (HF defaults where HF has one and the key is optional):
//   bert   vocab_size hidden_size num_hidden_layers num_attention_heads intermediate_size
//          max_position_embeddings type_vocab_size(2) layer_norm_eps(1e-12) hidden_act(gelu)
//          position_embedding_type("absolute" only) pad_token_id
//   gpt2   vocab_size n_embd n_layer n_head n_positions (or n_ctx) n_inner(null: 4 x n_embd)
//          layer_norm_epsilon(1e-5) activation_function(gelu_new) tie_word_embeddings(true)
//          bos_token_id eos_token_id
//   llama  vocab_size hidden_size num_hidden_layers num_attention_heads num_key_value_heads(=heads)
//          head_dim(hidden / heads) intermediate_size max_position_embeddings rms_norm_eps(1e-6)
//          rope_theta(10000) rope_scaling(null or {type|rope_type, factor}) hidden_act(silu)
//          tie_word_embeddings(false) bos_token_id eos_token_id (an id or a list) pad_token_id
// The architecture comes from "model_type", or else from "architectures"[0] (BertModel,
// GPT2LMHeadModel, LlamaForCausalLM, ...).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/error.hpp"
#include "tessera/io/json_guard.hpp"
#include "tessera/io/mapped_file.hpp"
#include "tessera/models/config.hpp"

namespace tessera::models {

namespace detail {

// Typed access to the top-level keys of a parsed config.json; errors name the key and file.
class json_config_reader {
public:
    using json = nlohmann::json;
    json_config_reader(const json& j, const std::string& what) : j_(j), what_(what) {}

    // nullptr when the key is absent or null (HF writes null for "use the default").
    const json* find(std::string_view key) const {
        const auto it = j_.find(key);
        return it == j_.end() || it->is_null() ? nullptr : &*it;
    }
    bool has(std::string_view key) const { return find(key) != nullptr; }

    std::optional<std::uint64_t> count(std::string_view key) const {
        const json* v = find(key);
        if (!v) return std::nullopt;
        return to_u64(*v, key);
    }
    std::uint64_t required_count(std::string_view key) const {
        if (auto v = count(key)) return *v;
        throw error(error_kind::malformed, what_ + ": required key \"" + std::string(key) + "\" is missing");
    }
    std::uint64_t count_or(std::string_view key, std::uint64_t fallback) const { return count(key).value_or(fallback); }

    double number_or(std::string_view key, double fallback) const {
        const json* v = find(key);
        if (!v) return fallback;
        if (!v->is_number()) throw wrong_type(key, "a number", *v);
        return v->get<double>();
    }
    std::string string_or(std::string_view key, std::string fallback) const {
        const json* v = find(key);
        if (!v) return fallback;
        if (!v->is_string()) throw wrong_type(key, "a string", *v);
        return v->get<std::string>();
    }
    bool bool_or(std::string_view key, bool fallback) const {
        const json* v = find(key);
        if (!v) return fallback;
        if (!v->is_boolean()) throw wrong_type(key, "true or false", *v);
        return v->get<bool>();
    }
    // An id, or (eos_token_id) a list of ids.
    std::vector<std::uint64_t> ids(std::string_view key) const {
        const json* v = find(key);
        std::vector<std::uint64_t> out;
        if (!v) return out;
        if (v->is_array()) {
            if (v->size() > 1024) throw error(error_kind::too_large, what_ + ": \"" + std::string(key) + "\" lists over 1024 ids");
            for (const json& e : *v) out.push_back(to_u64(e, key));
        } else {
            out.push_back(to_u64(*v, key));
        }
        return out;
    }
    std::optional<std::uint64_t> id(std::string_view key) const {
        const json* v = find(key);
        if (!v) return std::nullopt;
        return to_u64(*v, key);
    }

    error wrong_type(std::string_view key, const char* wanted, const json& v) const {
        return error(error_kind::malformed,
                     what_ + ": \"" + std::string(key) + "\" must be " + wanted + ", found " + v.type_name());
    }

private:
    std::uint64_t to_u64(const json& v, std::string_view key) const {
        if (v.is_number_unsigned()) return v.get<std::uint64_t>();
        if (v.is_number_integer())  // negative (non-negative literals are number_unsigned)
            throw error(error_kind::out_of_range,
                        what_ + ": \"" + std::string(key) + "\" = " + std::to_string(v.get<std::int64_t>()) +
                            " is negative");
        throw wrong_type(key, "a non-negative integer", v);
    }

    const json& j_;
    const std::string& what_;
};

// Parses `text` into a DOM, refusing duplicate keys. Depth and UTF-8 were checked before.
inline nlohmann::json parse_config_json(std::string_view text, const std::string& what) {
    using json = nlohmann::json;
    // One set of keys per open object; the callback sees events in document order.
    std::vector<std::set<std::string, std::less<>>> open;
    std::optional<std::string> duplicate;
    json::parser_callback_t cb = [&](int, json::parse_event_t ev, json& parsed) {
        switch (ev) {
        case json::parse_event_t::object_start: open.emplace_back(); break;
        case json::parse_event_t::object_end:
            if (!open.empty()) open.pop_back();
            break;
        case json::parse_event_t::key:
            if (!open.empty() && !open.back().insert(parsed.get<std::string>()).second && !duplicate)
                duplicate = parsed.get<std::string>();
            break;
        default: break;
        }
        return true;
    };
    json j;
    try {
        j = json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/true, /*ignore_comments=*/false);
    } catch (const json::parse_error& e) {
        // byte is 1-based, past the offending character.
        throw error(error_kind::malformed, what + ": not valid JSON near byte " +
                                               std::to_string(e.byte > 0 ? e.byte - 1 : 0) + " (" + e.what() + ")");
    } catch (const json::out_of_range& e) {  // a number literal beyond double (1e999): found by fuzz_config
        throw error(error_kind::out_of_range, what + ": " + e.what());
    } catch (const json::exception& e) {
        throw error(error_kind::malformed, what + ": " + e.what());
    }
    if (duplicate) throw error(error_kind::duplicate, what + ": key \"" + *duplicate + "\" appears twice in one object");
    if (!j.is_object()) throw error(error_kind::malformed, what + ": top level is " + j.type_name() + ", not an object");
    return j;
}

inline architecture config_architecture(const json_config_reader& r, const nlohmann::json& j, const std::string& what) {
    std::string type = r.string_or("model_type", "");
    if (type.empty()) {
        const auto it = j.find("architectures");
        if (it != j.end() && it->is_array() && !it->empty() && it->front().is_string()) {
            const std::string a = it->front().get<std::string>();
            if (a.starts_with("Bert")) type = "bert";
            else if (a.starts_with("GPT2")) type = "gpt2";
            else if (a.starts_with("Llama")) type = "llama";
            else throw error(error_kind::unsupported, what + ": architecture \"" + a + "\" is not supported");
        }
    }
    if (type == "bert") return architecture::bert;
    if (type == "gpt2") return architecture::gpt2;
    if (type == "llama") return architecture::llama;
    if (type.empty()) throw error(error_kind::malformed, what + ": neither \"model_type\" nor \"architectures\" names the model");
    throw error(error_kind::unsupported, what + ": model_type \"" + type + "\" is not supported (bert, gpt2, llama are)");
}

}  // namespace detail

inline model_config model_config::from_json(std::string_view text, const std::string& what, const config_limits& lim) {
    if (text.size() > lim.max_config_bytes)
        throw error(error_kind::too_large, what + ": " + std::to_string(text.size()) +
                                               " bytes, over config_limits.max_config_bytes");
    io::check_json_text(text, lim.max_json_depth, what, 0);
    nlohmann::json j = detail::parse_config_json(text, what);
    const io::dismantle_on_exit release(j);  // its destructor would allocate (io/json_guard.hpp)
    const detail::json_config_reader r(j, what);

    model_config c;
    c.what = what;
    c.source = source_kind::hf_json;
    c.arch = detail::config_architecture(r, j, what);
    c.model_type = std::string(to_string(c.arch));
    c.vocab_size = r.required_count("vocab_size");
    switch (c.arch) {
    case architecture::bert: {
        c.hidden_size = r.required_count("hidden_size");
        c.n_layers = r.required_count("num_hidden_layers");
        c.n_heads = r.required_count("num_attention_heads");
        c.n_kv_heads = c.n_heads;
        c.intermediate_size = r.required_count("intermediate_size");
        c.max_position_embeddings = r.required_count("max_position_embeddings");
        c.type_vocab_size = r.count_or("type_vocab_size", 2);
        c.norm_eps = r.number_or("layer_norm_eps", 1e-12);
        c.hidden_act = r.string_or("hidden_act", "gelu");
        const std::string pos = r.string_or("position_embedding_type", "absolute");
        if (pos != "absolute")
            throw error(error_kind::unsupported, what + ": position_embedding_type \"" + pos + "\" is not supported");
        c.pad_token_id = r.id("pad_token_id");
        break;
    }
    case architecture::gpt2: {
        c.hidden_size = r.required_count("n_embd");
        c.n_layers = r.required_count("n_layer");
        c.n_heads = r.required_count("n_head");
        c.n_kv_heads = c.n_heads;
        c.max_position_embeddings = r.has("n_positions") ? r.required_count("n_positions") : r.required_count("n_ctx");
        c.norm_eps = r.number_or("layer_norm_epsilon", 1e-5);
        c.hidden_act = r.string_or("activation_function", "gelu_new");
        c.tie_word_embeddings = r.bool_or("tie_word_embeddings", true);
        c.bos_token_id = r.id("bos_token_id");
        c.eos_token_ids = r.ids("eos_token_id");
        // n_inner null means 4 x n_embd; n_embd is bounded by validate(), but check the product here.
        if (auto inner = r.count("n_inner")) c.intermediate_size = *inner;
        else if (c.hidden_size > (UINT64_MAX / 4))
            throw error(error_kind::too_large, what + ": n_embd = " + std::to_string(c.hidden_size) + " is absurd");
        else c.intermediate_size = 4 * c.hidden_size;
        break;
    }
    case architecture::llama: {
        c.hidden_size = r.required_count("hidden_size");
        c.n_layers = r.required_count("num_hidden_layers");
        c.n_heads = r.required_count("num_attention_heads");
        c.n_kv_heads = r.count_or("num_key_value_heads", c.n_heads);
        c.intermediate_size = r.required_count("intermediate_size");
        c.max_position_embeddings = r.required_count("max_position_embeddings");
        c.norm_eps = r.number_or("rms_norm_eps", 1e-6);
        c.rope_theta = r.number_or("rope_theta", 10000.0);
        c.hidden_act = r.string_or("hidden_act", "silu");
        c.tie_word_embeddings = r.bool_or("tie_word_embeddings", false);
        c.bos_token_id = r.id("bos_token_id");
        c.eos_token_ids = r.ids("eos_token_id");
        c.pad_token_id = r.id("pad_token_id");
        if (const auto* rs = r.find("rope_scaling")) {
            if (!rs->is_object()) throw r.wrong_type("rope_scaling", "an object or null", *rs);
            const detail::json_config_reader sr(*rs, what);
            c.rope_scaling.type = sr.string_or("rope_type", sr.string_or("type", ""));
            if (c.rope_scaling.type == "default") c.rope_scaling.type.clear();
            c.rope_scaling.factor = sr.number_or("factor", 1.0);
        }
        if (auto hd = r.count("head_dim")) {
            c.head_dim = *hd;
            c.head_dim_explicit = true;
        }
        break;
    }
    case architecture::gemma3: break;  // GGUF only: config_architecture never returns it
    }
    // Division by zero is validate()'s to report (n_heads = 0 is out_of_range there).
    if (!c.head_dim_explicit && c.n_heads != 0) c.head_dim = c.hidden_size / c.n_heads;
    if (c.arch == architecture::llama) c.rope_dim = c.head_dim;
    c.validate(lim);
    return c;
}

inline model_config model_config::from_json_file(const std::filesystem::path& path, const config_limits& lim) {
    const io::mapped_file file(path.string());
    const std::string_view text(reinterpret_cast<const char*>(file.data()), file.size());
    return from_json(text, path.string(), lim);
}

}  // namespace tessera::models
