#pragma once
// Products and attribute filters for catalog search.
//
// A filter is a conjunction of clauses over a product's typed attributes, built in C++
//   filter().category("shoes").price_between(0, 300).in_stock().has_tag("waterproof")
// or parsed from a tiny text syntax (for the command line):
//   category=shoes AND price<300 AND stock>0 AND tag:waterproof
//
// Grammar (AND is case-insensitive; whitespace separates tokens):
//   filter  := ε | clause ( "AND" clause )*
//   clause  := "tag" ":" value | name op value
//   name    := letter or '_' followed by letters, digits, '_', '-', '.'
//   op      := "=" | "!=" | "<" | "<=" | ">" | ">="
//   value   := bare | quoted      bare: characters up to whitespace
//                                 quoted: "…" with \" and \\ escapes
// Fields: `price` (double) and `stock` (integer) take any op and a finite number;
// `category` and free-form attributes take = and != (string equality, case-sensitive);
// `tag` takes ":" or "=" (has the tag) and "!=" (lacks it). A missing attribute never
// equals a value (so `color!=red` matches a product without a color).
// Parse errors are tessera::error(malformed) naming the 1-based column.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/error.hpp"

namespace tessera::search {

struct product {
    std::string id;        // the caller's product id (SKU); unique within a catalog
    std::string text;      // what was embedded (title, description)
    std::string category;
    double price = 0.0;
    std::int64_t stock = 0;
    std::set<std::string> tags;
    std::map<std::string, std::string> attributes;  // free-form string attributes
};

class filter {
public:
    enum class field { category, price, stock, tag, attribute };
    enum class op { eq, ne, lt, le, gt, ge };
    struct clause {
        field on;
        op cmp;
        std::string key;    // attribute name (field::attribute only)
        std::string text;   // category, tag or attribute value
        double number = 0;  // price or stock bound
    };

    filter& category(std::string v, op cmp = op::eq) {
        require(cmp == op::eq || cmp == op::ne, error_kind::invalid_argument, "filter: category compares with = or != only");
        return add({field::category, cmp, {}, std::move(v), 0});
    }
    filter& price(op cmp, double v) { return add({field::price, cmp, {}, {}, v}); }
    filter& price_between(double lo, double hi) { return price(op::ge, lo).price(op::le, hi); }
    filter& stock(op cmp, double v) { return add({field::stock, cmp, {}, {}, v}); }
    filter& in_stock() { return stock(op::gt, 0); }
    filter& has_tag(std::string t) { return add({field::tag, op::eq, {}, std::move(t), 0}); }
    filter& lacks_tag(std::string t) { return add({field::tag, op::ne, {}, std::move(t), 0}); }
    filter& attribute(std::string key, std::string value, op cmp = op::eq) {
        require(cmp == op::eq || cmp == op::ne, error_kind::invalid_argument, "filter: attributes compare with = or != only");
        return add({field::attribute, cmp, std::move(key), std::move(value), 0});
    }

    bool empty() const noexcept { return clauses_.empty(); }
    const std::vector<clause>& clauses() const noexcept { return clauses_; }

    bool matches(const product& p) const {
        for (const clause& c : clauses_)
            if (!holds(c, p)) return false;
        return true;
    }

    static filter parse(std::string_view text);

private:
    filter& add(clause c) {
        if ((c.on == field::price || c.on == field::stock))
            require(std::isfinite(c.number), error_kind::invalid_argument, "filter: numeric bound is not finite");
        clauses_.push_back(std::move(c));
        return *this;
    }
    static bool compare(double v, op cmp, double bound) noexcept {
        switch (cmp) {
        case op::eq: return v == bound;
        case op::ne: return v != bound;
        case op::lt: return v < bound;
        case op::le: return v <= bound;
        case op::gt: return v > bound;
        case op::ge: return v >= bound;
        }
        return false;
    }
    static bool holds(const clause& c, const product& p) {
        switch (c.on) {
        case field::category: return (p.category == c.text) == (c.cmp == op::eq);
        case field::price: return compare(p.price, c.cmp, c.number);
        case field::stock: return compare(double(p.stock), c.cmp, c.number);
        case field::tag: return p.tags.contains(c.text) == (c.cmp == op::eq);
        case field::attribute: {
            const auto it = p.attributes.find(c.key);
            const bool equal = it != p.attributes.end() && it->second == c.text;
            return equal == (c.cmp == op::eq);
        }
        }
        return false;
    }

    std::vector<clause> clauses_;
};

namespace detail {

class filter_parser {
public:
    explicit filter_parser(std::string_view s) : s_(s) {}

    filter run() {
        filter f;
        skip_space();
        if (pos_ == s_.size()) return f;
        for (;;) {
            parse_clause(f);
            skip_space();
            if (pos_ == s_.size()) return f;
            const std::size_t at = pos_;
            const std::string_view word = bare_word();
            if (!(word.size() == 3 && (word[0] | 0x20) == 'a' && (word[1] | 0x20) == 'n' && (word[2] | 0x20) == 'd'))
                fail(at, "expected AND between clauses");
            skip_space();
            if (pos_ == s_.size()) fail(pos_, "expected a clause after AND");
        }
    }

private:
    [[noreturn]] void fail(std::size_t at, const std::string& msg) const {
        throw error(error_kind::malformed, "filter: " + msg + " at column " + std::to_string(at + 1) + " of \"" +
                                               std::string(s_) + "\"");
    }
    static bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
    static bool is_name_start(char c) noexcept { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
    static bool is_name_char(char c) noexcept {
        return is_name_start(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    }
    void skip_space() noexcept {
        while (pos_ < s_.size() && is_space(s_[pos_])) ++pos_;
    }
    std::string_view bare_word() noexcept {
        const std::size_t b = pos_;
        while (pos_ < s_.size() && !is_space(s_[pos_])) ++pos_;
        return s_.substr(b, pos_ - b);
    }

    void parse_clause(filter& f) {
        const std::size_t name_at = pos_;
        if (!(is_name_start(s_[pos_]) || s_[pos_] == '_')) fail(pos_, "expected a field name");
        while (pos_ < s_.size() && is_name_char(s_[pos_])) ++pos_;
        const std::string name(s_.substr(name_at, pos_ - name_at));
        skip_space();
        const std::size_t op_at = pos_;
        filter::op cmp;
        bool colon = false;
        if (pos_ < s_.size() && s_[pos_] == ':') {
            colon = true;
            cmp = filter::op::eq;
            ++pos_;
        } else {
            cmp = parse_op();
        }
        skip_space();
        const std::size_t value_at = pos_;
        const std::string value = parse_value();
        if (name == "tag") {
            if (cmp != filter::op::eq && cmp != filter::op::ne) fail(op_at, "tags take ':', '=' or '!='");
            cmp == filter::op::eq ? f.has_tag(value) : f.lacks_tag(value);
        } else if (colon) {
            fail(op_at, "':' is for tags only");
        } else if (name == "price" || name == "stock") {
            double v = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
            if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(v))
                fail(value_at, "expected a finite number for " + name);
            name == "price" ? f.price(cmp, v) : f.stock(cmp, v);
        } else {
            if (cmp != filter::op::eq && cmp != filter::op::ne) fail(op_at, "'" + name + "' compares with = or != only");
            if (name == "category") f.category(value, cmp);
            else f.attribute(name, value, cmp);
        }
    }

    filter::op parse_op() {
        if (pos_ >= s_.size()) fail(pos_, "expected an operator");
        const char c = s_[pos_];
        const char n = pos_ + 1 < s_.size() ? s_[pos_ + 1] : '\0';
        if (c == '=') return pos_ += 1, filter::op::eq;
        if (c == '!' && n == '=') return pos_ += 2, filter::op::ne;
        if (c == '<' && n == '=') return pos_ += 2, filter::op::le;
        if (c == '>' && n == '=') return pos_ += 2, filter::op::ge;
        if (c == '<') return pos_ += 1, filter::op::lt;
        if (c == '>') return pos_ += 1, filter::op::gt;
        fail(pos_, "expected an operator (=, !=, <, <=, >, >=)");
    }

    std::string parse_value() {
        if (pos_ >= s_.size()) fail(pos_, "expected a value");
        if (s_[pos_] != '"') {
            const std::string_view w = bare_word();
            if (w.empty()) fail(pos_, "expected a value");
            return std::string(w);
        }
        const std::size_t open = pos_++;
        std::string out;
        while (pos_ < s_.size() && s_[pos_] != '"') {
            if (s_[pos_] == '\\') {
                if (pos_ + 1 >= s_.size() || (s_[pos_ + 1] != '"' && s_[pos_ + 1] != '\\'))
                    fail(pos_, "unknown escape in quoted value (use \\\" or \\\\)");
                ++pos_;
            }
            out += s_[pos_++];
        }
        if (pos_ >= s_.size()) fail(open, "unterminated quoted value");
        ++pos_;
        if (pos_ < s_.size() && !is_space(s_[pos_])) fail(pos_, "expected whitespace after a quoted value");
        return out;
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

}  // namespace detail

inline filter filter::parse(std::string_view text) { return detail::filter_parser(text).run(); }

}  // namespace tessera::search
