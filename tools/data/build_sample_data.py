#!/usr/bin/env python3
"""Writes and checks the bundled sample data in data/.

The data are hand-written (tools/data/products.py, queries.py, knowledge.py) for the
tessera project (licence Apache-2.0); this script only serialises them, deterministically,
and validates the result.

    python3 tools/data/build_sample_data.py            # write data/*.jsonl, then check
    python3 tools/data/build_sample_data.py --check    # only check the files in data/

Standard library only.
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, "data")
sys.path.insert(0, HERE)

CATEGORIES = {"shoes", "apparel", "bags", "kitchen", "home", "electronics",
              "beauty", "sports", "outdoor", "toys", "books", "pet"}
KB_TOPICS = {"returns", "shipping", "warranty", "payment", "sizes", "order_changes",
             "invoices", "membership", "privacy", "contact", "price_protection",
             "gifts", "stock", "coupons"}
LANGS = {"zh", "en", "mixed"}

CATALOG_KEYS = ["id", "title_en", "title_zh", "description_en", "description_zh",
                "category", "price", "stock", "tags"]
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
TAG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NUM = re.compile(r"\d+(?:\.\d+)?")


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False)


# ------------------------------------------------------------------ writing

def write_jsonl(name, lines):
    path = os.path.join(DATA, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")


def catalog_line(p):
    obj = {k: p[k] for k in CATALOG_KEYS}
    obj["price"] = "@PRICE@"
    text = dumps(obj)
    # prices are written as JSON numbers with exactly two decimals
    return text.replace('"@PRICE@"', p["price"])


def build():
    from products import PRODUCTS
    from queries import QUERIES
    from knowledge import KB, REPLY_QUESTIONS

    os.makedirs(DATA, exist_ok=True)
    write_jsonl("catalog.jsonl", [catalog_line(p) for p in PRODUCTS])
    lines = []
    for query, lang, flt, ids in QUERIES:
        obj = {"query": query, "lang": lang}
        if flt:
            obj["filter"] = flt
        obj["expected_ids"] = ids
        lines.append(dumps(obj))
    write_jsonl("queries.jsonl", lines)
    write_jsonl("shop_knowledge.jsonl", [dumps(k) for k in KB])
    lines = []
    for question, lang, kb, ids in REPLY_QUESTIONS:
        obj = {"question": question, "lang": lang, "expected_kb": kb}
        if ids:
            obj["expected_ids"] = ids
        lines.append(dumps(obj))
    write_jsonl("reply_questions.jsonl", lines)


# ------------------------------------------------------------------ checking

class Checker:
    def __init__(self):
        self.errors = []

    def err(self, where, msg):
        self.errors.append("%s: %s" % (where, msg))

    def read(self, name):
        rows, raws = [], []
        path = os.path.join(DATA, name)
        with open(path, encoding="utf-8") as f:
            for n, raw in enumerate(f, 1):
                where = "%s:%d" % (name, n)
                if not raw.endswith("\n") or raw.strip() == "":
                    self.err(where, "empty line or missing newline")
                try:
                    obj = json.loads(raw)
                except ValueError as e:
                    self.err(where, "invalid JSON: %s" % e)
                    continue
                if not isinstance(obj, dict):
                    self.err(where, "not a JSON object")
                    continue
                rows.append((where, obj))
                raws.append(raw)
        return rows, raws

    def lang_ok(self, where, text, lang):
        cjk, latin = bool(CJK.search(text)), bool(LATIN.search(text))
        if lang not in LANGS:
            self.err(where, "bad lang %r" % lang)
        elif lang == "zh" and not cjk:
            self.err(where, "lang zh but no Chinese characters")
        elif lang == "en" and cjk:
            self.err(where, "lang en but Chinese characters")
        elif lang == "mixed" and not (cjk and latin):
            self.err(where, "lang mixed needs Chinese and Latin text")


def sentences_en(text):
    return len([s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s])


def sentences_zh(text):
    return len([s for s in re.split(r"(?<=[。！？])", text.strip()) if s])


def matches(filter_expr, p):
    for clause in filter_expr.split(" AND "):
        clause = clause.strip()
        if clause.startswith("tag:"):
            if clause[4:] not in p["tags"]:
                return False
            continue
        m = re.match(r"^(category|price|stock)\s*(<=|>=|!=|=|<|>)\s*(\S+)$", clause)
        if not m:
            raise ValueError("bad filter clause %r" % clause)
        field, op, value = m.groups()
        left = p[field]
        if field != "category":
            left, value = float(left), float(value)
        ok = {"=": left == value, "!=": left != value, "<": left < value,
              "<=": left <= value, ">": left > value, ">=": left >= value}[op]
        if not ok:
            return False
    return True


def check():
    c = Checker()
    counts = {}

    # ---- catalog
    rows, raws = c.read("catalog.jsonl")
    products = {}
    for (where, p), raw in zip(rows, raws):
        if list(p.keys()) != CATALOG_KEYS:
            c.err(where, "keys %s" % list(p.keys()))
            continue
        if not re.match(r"^SKU-\d{5}$", p["id"]):
            c.err(where, "bad id %r" % p["id"])
        if p["id"] in products:
            c.err(where, "duplicate id %s" % p["id"])
        products[p["id"]] = p
        if p["category"] not in CATEGORIES:
            c.err(where, "bad category %r" % p["category"])
        if not re.search(r'"price": \d+\.\d\d,', raw) or not p["price"] > 0:
            c.err(where, "price must be a positive number with 2 decimals")
        if not isinstance(p["stock"], int) or isinstance(p["stock"], bool) or p["stock"] < 0:
            c.err(where, "bad stock")
        tags = p["tags"]
        if not (3 <= len(tags) <= 6) or len(set(tags)) != len(tags) \
                or not all(isinstance(t, str) and TAG.match(t) for t in tags):
            c.err(where, "tags must be 3-6 unique lowercase tags: %r" % tags)
        for k in ("title_en", "title_zh", "description_en", "description_zh"):
            if not isinstance(p[k], str) or not p[k].strip():
                c.err(where, "empty %s" % k)
        if CJK.search(p["title_en"]) or CJK.search(p["description_en"]):
            c.err(where, "Chinese characters in an _en field")
        if not CJK.search(p["title_zh"]) or not CJK.search(p["description_zh"]):
            c.err(where, "no Chinese characters in a _zh field")
        if not 1 <= sentences_en(p["description_en"]) <= 3:
            c.err(where, "description_en should have 1-3 sentences")
        if not 1 <= sentences_zh(p["description_zh"]) <= 3:
            c.err(where, "description_zh should have 1-3 sentences")
    cats = {}
    for p in products.values():
        cats[p["category"]] = cats.get(p["category"], 0) + 1
    counts["catalog.jsonl"] = "%d products, %d categories, %d out of stock, price %.2f-%.2f" % (
        len(products), len(cats), sum(1 for p in products.values() if p["stock"] == 0),
        min(p["price"] for p in products.values()), max(p["price"] for p in products.values()))
    if len(products) < 220:
        c.err("catalog.jsonl", "fewer than 220 products")

    # ---- queries
    rows, _ = c.read("queries.jsonl")
    nfilter, seen, langs = 0, set(), {}
    for where, q in rows:
        keys = list(q.keys())
        if keys not in (["query", "lang", "expected_ids"], ["query", "lang", "filter", "expected_ids"]):
            c.err(where, "keys %s" % keys)
            continue
        if q["query"] in seen:
            c.err(where, "duplicate query")
        seen.add(q["query"])
        c.lang_ok(where, q["query"], q["lang"])
        langs[q["lang"]] = langs.get(q["lang"], 0) + 1
        ids = q["expected_ids"]
        if not (1 <= len(ids) <= 5) or len(set(ids)) != len(ids):
            c.err(where, "expected_ids must hold 1-5 distinct ids")
        for i in ids:
            if i not in products:
                c.err(where, "unknown product %s" % i)
        if "filter" in q:
            nfilter += 1
            try:
                hits = [p for p in products.values() if matches(q["filter"], p)]
            except ValueError as e:
                c.err(where, str(e))
                continue
            if not hits:
                c.err(where, "filter matches no product")
            for i in ids:
                if i in products and not matches(q["filter"], products[i]):
                    c.err(where, "%s does not satisfy the filter" % i)
    counts["queries.jsonl"] = "%d queries (%s), %d with a filter" % (
        len(rows), ", ".join("%s %d" % kv for kv in sorted(langs.items())), nfilter)
    if len(rows) < 60 or nfilter < 15:
        c.err("queries.jsonl", "need >= 60 queries and >= 15 filters")

    # ---- knowledge
    from knowledge import KB_PAIRS
    rows, _ = c.read("shop_knowledge.jsonl")
    kb, klangs = {}, {}
    for where, k in rows:
        if list(k.keys()) != ["id", "topic", "lang", "title", "text"]:
            c.err(where, "keys %s" % list(k.keys()))
            continue
        if not re.match(r"^KB-\d{3}$", k["id"]) or k["id"] in kb:
            c.err(where, "bad or duplicate id %r" % k["id"])
        kb[k["id"]] = k
        if k["topic"] not in KB_TOPICS:
            c.err(where, "bad topic %r" % k["topic"])
        if k["lang"] not in ("zh", "en"):
            c.err(where, "lang must be zh or en")
        else:
            c.lang_ok(where, k["title"] + k["text"], k["lang"])
        klangs[k["lang"]] = klangs.get(k["lang"], 0) + 1
        n = sentences_zh(k["text"]) if k["lang"] == "zh" else sentences_en(k["text"])
        if not 2 <= n <= 6:
            c.err(where, "text should have 2-6 sentences, has %d" % n)
    for a, b in KB_PAIRS:
        if a not in kb or b not in kb:
            c.err("shop_knowledge.jsonl", "pair %s/%s missing" % (a, b))
            continue
        ka, kb_ = kb[a], kb[b]
        if (ka["lang"], kb_["lang"]) != ("zh", "en") or ka["topic"] != kb_["topic"]:
            c.err("shop_knowledge.jsonl", "pair %s/%s: langs or topics differ" % (a, b))
        na, nb = set(NUM.findall(ka["text"])), set(NUM.findall(kb_["text"]))
        if na != nb:
            c.err("shop_knowledge.jsonl", "pair %s/%s: numbers differ: zh-only %s, en-only %s"
                  % (a, b, sorted(na - nb), sorted(nb - na)))
    counts["shop_knowledge.jsonl"] = "%d passages (zh %d, en %d), %d topics, %d zh/en pairs" % (
        len(kb), klangs.get("zh", 0), klangs.get("en", 0),
        len({k["topic"] for k in kb.values()}), len(KB_PAIRS))
    if len(kb) < 40:
        c.err("shop_knowledge.jsonl", "fewer than 40 passages")

    # ---- reply questions
    rows, _ = c.read("reply_questions.jsonl")
    oos, qlangs, seen = 0, {}, set()
    for where, q in rows:
        keys = list(q.keys())
        if keys not in (["question", "lang", "expected_kb"],
                        ["question", "lang", "expected_kb", "expected_ids"]):
            c.err(where, "keys %s" % keys)
            continue
        if q["question"] in seen:
            c.err(where, "duplicate question")
        seen.add(q["question"])
        c.lang_ok(where, q["question"], q["lang"])
        qlangs[q["lang"]] = qlangs.get(q["lang"], 0) + 1
        if len(set(q["expected_kb"])) != len(q["expected_kb"]):
            c.err(where, "duplicate expected_kb")
        for i in q["expected_kb"]:
            if i not in kb:
                c.err(where, "unknown passage %s" % i)
        for i in q.get("expected_ids", []):
            if i not in products:
                c.err(where, "unknown product %s" % i)
        if not q["expected_kb"]:
            oos += 1
            if q.get("expected_ids"):
                c.err(where, "out-of-scope question with expected_ids")
    counts["reply_questions.jsonl"] = "%d questions (%s), %d out of scope" % (
        len(rows), ", ".join("%s %d" % kv for kv in sorted(qlangs.items())), oos)
    if len(rows) < 30 or oos < 5:
        c.err("reply_questions.jsonl", "need >= 30 questions and >= 5 out of scope")

    for name, line in counts.items():
        print("%-22s %s" % (name, line))
    print("categories: " + ", ".join("%s %d" % kv for kv in sorted(cats.items())))
    if c.errors:
        print("\n%d problem(s):" % len(c.errors))
        for e in c.errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check the files in data/")
    args = ap.parse_args()
    if not args.check:
        build()
    return check()


if __name__ == "__main__":
    sys.exit(main())
