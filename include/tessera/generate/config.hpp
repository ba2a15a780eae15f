#pragma once
// generation_config: every setting of one generate() call, with HF transformers' names.
//
//   max_new_tokens      tokens to generate at most (the first comes from the prompt's logits)
//   temperature         0 = greedy (argmax, lowest id on ties); otherwise logits / temperature
//   top_k               keep the k most likely tokens (0 = off)
//   top_p               keep the smallest most-likely set whose probability reaches p (1 = off)
//   min_p               drop tokens with p < min_p · p_max (0 = off)
//   repetition_penalty  HF's CTRL penalty on every token already in the session (prompt and
//                       history included): logit / r if logit > 0 else logit · r (1 = off)
//   presence_penalty    OpenAI's: − presence for every token generated in this call (0 = off)
//   frequency_penalty   OpenAI's: − frequency · count for tokens generated in this call (0 = off)
//   stop_strings        generation stops when the text contains one; the text returned and
//                       streamed ends just before it (matched across token boundaries)
//   eos_token_ids       ids that end generation (not streamed); empty = the model's EOS ids
//   seed                the sampler's random stream (mt19937_64); same seed, same tokens
//
// The sampler chain built from it runs penalties → top_k → top_p → min_p → temperature →
// a random draw (llama.cpp's order); greedy skips the filters (generate/sampler.hpp).
// Defaults: the filters are off, so temperature 1 samples the model's distribution.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/error.hpp"

namespace tessera::generate {

struct generation_config {
    std::size_t max_new_tokens = 256;
    float temperature = 1.0f;
    std::size_t top_k = 0;
    float top_p = 1.0f;
    float min_p = 0.0f;
    float repetition_penalty = 1.0f;
    float presence_penalty = 0.0f;
    float frequency_penalty = 0.0f;
    std::vector<std::string> stop_strings;
    std::vector<std::int32_t> eos_token_ids;
    std::uint64_t seed = 0;

    bool greedy() const noexcept { return temperature == 0.0f; }

    // invalid_argument naming the setting: negative or non-finite temperature, top_p outside
    // (0, 1], min_p outside [0, 1], repetition_penalty <= 0 or non-finite, non-finite
    // presence/frequency penalties, an empty stop string.
    void validate() const {
        const auto bad = [](const std::string& what) { return error(error_kind::invalid_argument, "generation_config: " + what); };
        if (!(temperature >= 0.0f) || !std::isfinite(temperature)) throw bad("temperature must be finite and >= 0");
        if (!(top_p > 0.0f && top_p <= 1.0f)) throw bad("top_p must be in (0, 1]");
        if (!(min_p >= 0.0f && min_p <= 1.0f)) throw bad("min_p must be in [0, 1]");
        if (!(repetition_penalty > 0.0f) || !std::isfinite(repetition_penalty))
            throw bad("repetition_penalty must be finite and > 0");
        if (!std::isfinite(presence_penalty) || !std::isfinite(frequency_penalty))
            throw bad("presence_penalty and frequency_penalty must be finite");
        for (const std::string& s : stop_strings)
            if (s.empty()) throw bad("stop_strings must not contain an empty string");
    }
};

}  // namespace tessera::generate
