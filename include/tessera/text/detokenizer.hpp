#pragma once
// Streaming detokenizer for byte-level BPE: feed ids one at a time (as a sampler produces
// them) and get UTF-8 text that never ends inside a character.
//
// A byte-level token can end in the middle of a multi-byte character ("😀" is often two or
// four tokens), so each push appends the token's bytes to a small pending buffer and
// returns its longest prefix that does not end in an incomplete (but so far valid) UTF-8
// sequence; at most 3 bytes stay pending. Invalid bytes are final as soon as they are
// seen and come out as U+FFFD per maximal invalid subpart, so the concatenation of all
// pushes plus finish() equals bpe_tokenizer::decode of the same ids, byte for byte.
// finish() flushes a truly incomplete tail as one U+FFFD.
#include <cstdint>
#include <string>
#include <string_view>

#include "tessera/text/bpe.hpp"
#include "tessera/text/utf8.hpp"

namespace tessera::text {

class incremental_detokenizer {
public:
    // `tok` must outlive the detokenizer. With skip_special_tokens, control tokens give "".
    explicit incremental_detokenizer(const bpe_tokenizer& tok, bool skip_special_tokens = false)
        : tok_(&tok), skip_special_(skip_special_tokens) {}

    // Text completed by token `id` (possibly empty). out_of_range for an id outside the
    // vocabulary (the detokenizer is unchanged then).
    std::string push(std::int32_t id) {
        const std::string_view bytes = tok_->token_bytes(id);  // checks the id first
        if (skip_special_ && tok_->is_special(id)) return {};
        pending_.append(bytes);
        const std::size_t ready = utf8_complete_prefix(pending_);
        std::string out = sanitize_utf8(std::string_view(pending_).substr(0, ready));
        pending_.erase(0, ready);
        return out;
    }

    // Whatever is still pending (an incomplete character becomes U+FFFD); resets.
    std::string finish() {
        std::string out = sanitize_utf8(pending_);
        pending_.clear();
        return out;
    }

    // Bytes held back waiting for the rest of a character (0..3).
    std::size_t pending_bytes() const noexcept { return pending_.size(); }
    void reset() noexcept { pending_.clear(); }

private:
    const bpe_tokenizer* tok_;
    bool skip_special_;
    std::string pending_;
};

}  // namespace tessera::text
