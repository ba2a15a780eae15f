#!/usr/bin/env python3
"""Generates include/tessera/text/unicode_tables.hpp from the Unicode Character Database.

Input: Debian's `unicode-data` package (`apt-get install -y unicode-data`), which puts the
UCD under /usr/share/unicode/ (Debian 12 ships Unicode 15.0.0). The generated header is
committed, so nothing runs this at build time. Regenerate with

    python3 tools/gen_unicode_tables.py [--ucd /usr/share/unicode] [--verify-hf]

Two views of the data are emitted:

* The current view (the UCD given, 15.0 on Debian 12): general categories, White_Space,
  simple lowercase mappings, canonical combining classes, canonical and compatibility
  decompositions and canonical compositions (for NFD/NFKD/NFC/NFKC).

* The "HF BERT" view used by BertNormalizer / BertPreTokenizer parity. HF `tokenizers`
  takes punctuation, "other" (Cc/Cf/Co/Cs) and non-spacing marks (Mn) from the Rust crate
  `unicode_categories` 0.1.1, whose tables are Unicode 8.0. A character added after 8.0 is
  therefore *not* punctuation / control / Mn for HF even when today's UCD says it is. We
  rebuild that 8.0 view from the current UCD: characters whose DerivedAge is <= 8.0, with
  the categories they had in 8.0 (CATEGORY_CHANGES_SINCE_8 below lists the few that
  changed since). `--verify-hf` checks every code point against the installed HF
  `tokenizers` package and fails on any difference.

  Rust's std (char::is_whitespace, char::to_lowercase) follows a newer Unicode than
  Debian's UCD (tokenizers 0.23 wheels: Unicode 16). Lowercase mappings for characters
  new in 16.0 (e.g. U+A7CB, U+10D50..U+10D65, U+16EA0..U+16EB8, U+1C89) are therefore
  missing here; --verify-hf lists them as known differences.
"""
import argparse
import os
import sys

# Categories in the order of tessera::text::general_category (unicode.hpp).
CATEGORIES = ["Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd",
              "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc",
              "Cf", "Cs", "Co", "Cn"]

# Characters assigned in <= 8.0 whose general category changed afterwards, with their
# 8.0 category (found with --verify-hf against unicode_categories 0.1.1).
CATEGORY_CHANGES_SINCE_8 = {
    0x166D: "Po",   # CANADIAN SYLLABICS CHI SIGN: Po -> So (9.0?)
    0x111C9: "Po",  # SHARADA SANDHI MARK: Po -> Mn (11.0)
    0x1885: "Lo",   # MONGOLIAN LETTER ALI GALI BALUDA: Lo -> Mn (9.0)
    0x1886: "Lo",   # MONGOLIAN LETTER ALI GALI THREE BALUDA: Lo -> Mn (9.0)
    0xA9BD: "Mc",   # JAVANESE CONSONANT SIGN KERET: Mc -> Mn (12.0)
    0x1734: "Mn",   # HANUNOO SIGN PAMUDPOD: Mn -> Mc (14.0)
}

# HF BertNormalizer's _is_chinese_char ranges (tokenizers/src/normalizers/bert.rs). Note
# that 0x2B820..0x2B91F is absent there (Google's BERT has 0x2B820..0x2CEAF); we copy HF.
HF_CJK_RANGES = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
                 (0x2B740, 0x2B81F), (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)]


def parse_ranges(path):
    """Yields (first, last, fields) for each data line of a UCD property file."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = [x.strip() for x in line.split(";")]
            a, _, b = fields[0].partition("..")
            yield int(a, 16), int(b, 16) if b else int(a, 16), fields[1:]


def load_ucd(ucd):
    cat, decomp, ccc, lower = {}, {}, {}, {}
    first = None
    with open(os.path.join(ucd, "UnicodeData.txt"), encoding="utf-8") as f:
        for line in f:
            fld = line.rstrip("\n").split(";")
            cp = int(fld[0], 16)
            if fld[1].endswith(", First>"):
                first = cp
                continue
            lo = first if fld[1].endswith(", Last>") else cp
            for c in range(lo, cp + 1):
                cat[c] = fld[2]
                if int(fld[3]):
                    ccc[c] = int(fld[3])
            if fld[5]:
                parts = fld[5].split()
                compat = parts[0].startswith("<")
                decomp[cp] = (compat, [int(x, 16) for x in (parts[1:] if compat else parts)])
            if fld[13]:
                lower[cp] = int(fld[13], 16)
    age = {}
    for a, b, f in parse_ranges(os.path.join(ucd, "DerivedAge.txt")):
        for c in range(a, b + 1):
            age[c] = tuple(int(x) for x in f[0].split("."))
    white = set()
    for a, b, f in parse_ranges(os.path.join(ucd, "PropList.txt")):
        if f[0] == "White_Space":
            white.update(range(a, b + 1))
    full_excl = set()
    for a, b, f in parse_ranges(os.path.join(ucd, "DerivedNormalizationProps.txt")):
        if f[0] == "Full_Composition_Exclusion":
            full_excl.update(range(a, b + 1))
    version = "unknown"
    with open(os.path.join(ucd, "DerivedAge.txt"), encoding="utf-8") as f:
        head = f.readline().strip()  # "# DerivedAge-15.0.0.txt"
        if "-" in head:
            version = head.split("-", 1)[1].removesuffix(".txt")
    return dict(cat=cat, decomp=decomp, ccc=ccc, lower=lower, age=age, white=white,
                full_excl=full_excl, version=version)


def full_decomposition(cp, decomp, compat):
    """Recursive decomposition (canonical only unless compat)."""
    if cp not in decomp or (decomp[cp][0] and not compat):
        return [cp]
    out = []
    for c in decomp[cp][1]:
        out.extend(full_decomposition(c, decomp, compat))
    return out


def to_ranges(codepoints):
    cps = sorted(codepoints)
    out = []
    for c in cps:
        if out and out[-1][1] + 1 == c:
            out[-1][1] = c
        else:
            out.append([c, c])
    return out


def hf_bert_sets(u):
    """Punctuation (P*), other (Cc Cf Co Cs) and Mn as unicode_categories 0.1.1 sees them."""
    def cat8(c):
        if u["age"].get(c, (99,)) > (8, 0):
            return "Cn"
        return CATEGORY_CHANGES_SINCE_8.get(c, u["cat"].get(c, "Cn"))
    punct, other, mn = set(), set(), set()
    for c in range(0x110000):
        k = cat8(c)
        if k[0] == "P":
            punct.add(c)
        elif k in ("Cc", "Cf", "Co", "Cs"):
            other.add(c)
        elif k == "Mn":
            mn.add(c)
    return punct, other, mn


def fmt_array(ctype, name, values, per_line=8, comment=""):
    lines = [f"// {comment}"] if comment else []
    lines.append(f"inline constexpr {ctype} {name}[] = {{")
    for i in range(0, len(values), per_line):
        lines.append("    " + ", ".join(values[i:i + per_line]) + ",")
    lines.append("};")
    return "\n".join(lines)


def generate(u):
    cat, decomp = u["cat"], u["decomp"]
    idx = {k: i for i, k in enumerate(CATEGORIES)}
    # General category runs over the whole code space, Cn where unassigned. Packed as
    # (first << 5) | category so one uint32 array serves a binary search.
    runs, prev = [], None
    for c in range(0x110000):
        k = cat.get(c, "Cn")
        if k != prev:
            runs.append((c << 5) | idx[k])
            prev = k
    # Canonical combining class runs, packed (first << 8) | ccc.
    ccc_runs, prev = [], None
    for c in range(0x110000):
        v = u["ccc"].get(c, 0)
        if v != prev:
            ccc_runs.append((c << 8) | v)
            prev = v
    # Decompositions, fully expanded; Hangul syllables are algorithmic (normalize.hpp).
    def decomp_table(compat):
        entries, pool = [], []
        for c in sorted(decomp):
            if decomp[c][0] and not compat:
                continue
            d = full_decomposition(c, decomp, compat)
            if d == [c]:
                continue
            entries.append((c, len(pool), len(d)))
            pool.extend(d)
        assert len(pool) < (1 << 16) and max(e[2] for e in entries) < 256
        return entries, pool
    canon, canon_pool = decomp_table(False)
    compat, compat_pool = decomp_table(True)
    # Canonical compositions: primary composites = canonical pairs minus the full
    # composition exclusions (which already contain singletons and non-starter decomps).
    comps = []
    for c, (is_compat, d) in decomp.items():
        if is_compat or len(d) != 2 or c in u["full_excl"]:
            continue
        comps.append(((d[0] << 21) | d[1], c))
    comps.sort()
    lower = sorted(u["lower"].items())
    cjk = sorted(HF_CJK_RANGES)
    punct8, other8, mn8 = hf_bert_sets(u)

    def ranges_array(name, cps, comment):
        rs = to_ranges(cps)
        return fmt_array("char32_t", name, [f"0x{a:X}, 0x{b:X}" for a, b in rs], 6,
                         comment + f" ({len(rs)} ranges as first, last pairs)")

    out = [f"""#pragma once
// GENERATED by tools/gen_unicode_tables.py from the Unicode Character Database
// {u['version']} (Debian package unicode-data). Do not edit; regenerate.
//
// Layouts (all sorted, searched with std::upper_bound in unicode.hpp / normalize.hpp):
//   general_category_runs: (first_code_point << 5) | category index; a run lasts until the
//                          next entry's first code point. Index order = general_category.
//   combining_class_runs:  (first_code_point << 8) | canonical combining class.
//   *_ranges:              flattened [first, last] pairs (inclusive).
//   lowercase_map:         flattened (code point, simple lowercase) pairs.
//   canonical/compat_decomp: (code point, offset into *_pool, length), fully expanded.
//   composition_keys/values: key (first << 21) | second -> primary composite.
#include <cstdint>

namespace tessera::text::detail {{

inline constexpr const char* unicode_tables_version = "{u['version']}";
"""]
    out.append(fmt_array("std::uint32_t", "general_category_runs",
                         [f"0x{v:X}" for v in runs], 8,
                         f"{len(runs)} general category runs"))
    out.append(fmt_array("std::uint32_t", "combining_class_runs",
                         [f"0x{v:X}" for v in ccc_runs], 8,
                         f"{len(ccc_runs)} canonical combining class runs"))
    out.append(ranges_array("white_space_ranges", u["white"], "White_Space (PropList.txt)"))
    out.append(ranges_array("hf_cjk_ranges", set().union(*[range(a, b + 1) for a, b in cjk]),
                            "HF BertNormalizer CJK ideograph ranges"))
    out.append(ranges_array("hf_punctuation_ranges", punct8,
                            "P* as unicode_categories 0.1.1 (Unicode 8.0) sees it"))
    out.append(ranges_array("hf_other_ranges", other8,
                            "Cc Cf Co Cs as unicode_categories 0.1.1 (Unicode 8.0) sees it"))
    out.append(ranges_array("hf_nonspacing_mark_ranges", mn8,
                            "Mn as unicode_categories 0.1.1 (Unicode 8.0) sees it"))
    out.append(fmt_array("char32_t", "lowercase_map", [f"0x{a:X}, 0x{b:X}" for a, b in lower],
                         6, f"{len(lower)} simple lowercase mappings (UnicodeData field 13)"))
    for name, entries, pool in (("canonical", canon, canon_pool), ("compat", compat, compat_pool)):
        out.append("struct decomposition_entry { char32_t cp; std::uint16_t offset; "
                   "std::uint8_t length; };" if name == "canonical" else "")
        out.append(fmt_array("decomposition_entry", f"{name}_decomp",
                             [f"{{0x{c:X}, {o}, {n}}}" for c, o, n in entries], 4,
                             f"{len(entries)} {name} decompositions, fully expanded"))
        out.append(fmt_array("char32_t", f"{name}_pool", [f"0x{c:X}" for c in pool], 10))
    out.append(fmt_array("std::uint64_t", "composition_keys", [f"0x{k:X}" for k, _ in comps], 6,
                         f"{len(comps)} canonical compositions"))
    out.append(fmt_array("char32_t", "composition_values", [f"0x{v:X}" for _, v in comps], 10))
    out.append("}  // namespace tessera::text::detail\n")
    return "\n\n".join(x for x in out if x)


def verify_hf(u):
    """Compares the HF BERT view against the installed `tokenizers` on every code point."""
    from tokenizers import normalizers, pre_tokenizers
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False,
                                       strip_accents=False, lowercase=False)
    strip = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False,
                                       strip_accents=True, lowercase=False)
    low = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False,
                                     strip_accents=False, lowercase=True)
    pre = pre_tokenizers.BertPreTokenizer()
    punct8, other8, mn8 = hf_bert_sets(u)
    cjk = lambda c: any(a <= c <= b for a, b in HF_CJK_RANGES)
    chin = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True,
                                      strip_accents=False, lowercase=False)
    ascii_punct = set(range(33, 48)) | set(range(58, 65)) | set(range(91, 97)) | set(range(123, 127))
    bad, lower_diffs = [], []
    for c in range(0x110000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        s = chr(c)
        ws = c in (9, 10, 13) or c in u["white"]
        removed = c == 0 or c == 0xFFFD or (c not in (9, 10, 13) and c in other8)
        want_clean = "" if removed else (" " if ws else s)
        if clean.normalize_str(s) != want_clean:
            bad.append(("clean", hex(c)))
        if (strip.normalize_str(s) == "") != (c in mn8):
            bad.append(("Mn", hex(c)))
        if (chin.normalize_str(s) != s) != cjk(c):
            bad.append(("cjk", hex(c)))
        n = len(pre.pre_tokenize_str("a" + s + "b"))
        want = 2 if c in u["white"] else (3 if (c in punct8 or c in ascii_punct) else 1)
        if n != want:
            bad.append(("pre", hex(c)))
        want_low = "i\u0307" if c == 0x130 else chr(u["lower"].get(c, c))
        if low.normalize_str(s) != want_low:
            lower_diffs.append(hex(c))
    print(f"lowercase differences (Rust std newer than UCD {u['version']}): {lower_diffs}")
    if bad:
        print("MISMATCHES:", bad[:50], len(bad))
        return False
    print("HF BERT view matches tokenizers on every code point")
    return True


def write_normalization_subset(ucd, version, out_path):
    """tests/data/unicode_normalization_subset.txt: all of Part0 and every 8th other line
    of NormalizationTest.txt (Debian ships it bz2-compressed)."""
    import bz2
    src = os.path.join(ucd, "NormalizationTest.txt")
    opener = (lambda: open(src, encoding="utf-8")) if os.path.exists(src) else \
        (lambda: bz2.open(src + ".bz2", "rt", encoding="utf-8"))
    out = [f"# Every 8th data line of NormalizationTest.txt (Unicode {version}, Debian unicode-data), "
           "plus all of Part0.",
           "# Columns: source; NFC; NFD; NFKC; NFKD (hex code points). Used by tests/test_unicode.cpp."]
    part, k = None, 0
    with opener() as f:
        for line in f:
            if line.startswith("@Part"):
                part = line.split()[0]
                continue
            if line.startswith("#") or not line.strip():
                continue
            k += 1
            if part == "@Part0" or k % 8 == 0:
                out.append(";".join(line.split(";")[:5]))
    with open(out_path, "w", encoding="ascii") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ucd", default="/usr/share/unicode")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "include",
                                                  "tessera", "text", "unicode_tables.hpp"))
    ap.add_argument("--verify-hf", action="store_true")
    a = ap.parse_args()
    u = load_ucd(a.ucd)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(generate(u))
    print(f"wrote {a.out} (UCD {u['version']})")
    write_normalization_subset(a.ucd, u["version"], os.path.join(os.path.dirname(__file__), "..", "tests", "data",
                                                                 "unicode_normalization_subset.txt"))
    if a.verify_hf and not verify_hf(u):
        sys.exit(1)


if __name__ == "__main__":
    main()
