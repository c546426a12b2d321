"""A small, obviously-correct pure-Python gazetteer tagger with newsprep's semantics.

It is slow on purpose (every alias tried at every position) and exists to check the Rust
tagger against: `reference_tag(records, text, ...)` returns what `Gazetteer.tag` should.

Semantics (the same as src/tag/mod.rs and src/tag/normalize.rs):

* Each character of the text is normalized on its own: a run of whitespace (`str.isspace`)
  becomes one space; with `fold_diacritics`, NFD (Hangul syllables excepted) with combining
  marks (category M*) dropped; case folding (`str.casefold`), followed by the diacritic step
  again when folding diacritics; then the typographic variants ’ ‘ ʼ -> ', “ ” -> ", – — -> -.
  `origin[j]` is the index in the text of the character that produced normalized character j.
* An alias's key is its normalized form (case-folded) without leading/trailing spaces; empty
  keys are skipped. A case-sensitive alias also needs the matched text, normalized without
  case folding, to equal the alias normalized the same way.
* A match of key k at normalized position j is valid when j starts a character's output, the
  text character before it is not a word character (category L*, N* or M*), j + len(k) ends a
  character's output and the text character after it is not a word character. The matched
  span is text[origin[j]:origin[j + len(k)]] (trailing dropped marks included).
* Candidates: every entity with an accepting entry, the entities whose name has that key first,
  then in record order. Records with the same id merge (first label and name win); the same id
  with another label is an error, as is an empty id.
* Default: leftmost-longest, non-overlapping. overlapping=True: every valid match, sorted by
  (start, end).

Run as a script to compare with the Rust tagger on random cases:

    cargo build --example tag_dump && python3 tests/reference_tagger.py --rounds 2000
"""

import unicodedata

TYPOGRAPHIC = {
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
}


def is_word(c):
    """Letters, digits and combining marks."""
    return not c.isspace() and unicodedata.category(c)[0] in "LNM"


def _strip_marks(c):
    d = c if 0xAC00 <= ord(c) <= 0xD7A3 else unicodedata.normalize("NFD", c)
    return "".join(x for x in d if unicodedata.category(x)[0] != "M")


def map_char(c, fold_case, fold_diacritics):
    """The normalized form of one non-whitespace character."""
    s = _strip_marks(c) if fold_diacritics else c
    if fold_case:
        folded = ""
        for x in s:
            f = x.casefold()
            if fold_diacritics and f != x:
                f = "".join(_strip_marks(y) for y in f)
            folded += f
        s = folded
    return "".join(TYPOGRAPHIC.get(x, x) for x in s)


def normalize(text, fold_case, fold_diacritics):
    """(normalized str, origin list with len(text) appended)."""
    out, origin = [], []
    last_space = False
    for i, c in enumerate(text):
        if c.isspace():
            if not last_space:
                out.append(" ")
                origin.append(i)
                last_space = True
            continue
        m = map_char(c, fold_case, fold_diacritics)
        if m:
            last_space = False
        for x in m:
            out.append(x)
            origin.append(i)
    origin.append(len(text))
    return "".join(out), origin


def key(text, fold_case, fold_diacritics):
    return normalize(text, fold_case, fold_diacritics)[0].strip(" ")


def _alias_specs(record):
    yield record.get("name", ""), None
    for a in record.get("aliases", []) or []:
        if isinstance(a, str):
            yield a, None
        else:
            yield a["text"], a.get("case_sensitive")


def build(records, case_sensitive=False, fold_diacritics=False):
    """-> (entity ids, {key: [(entity index, is_name, exact or None)] in candidate order})."""
    ids, labels, name_keys, index = [], [], [], {}
    table = {}
    for r in records:
        rid = r["id"]
        if not rid.strip():
            raise ValueError("empty id")
        if rid in index:
            e = index[rid]
            if labels[e] != r["label"]:
                raise ValueError(f"id {rid!r} repeated with another label")
        else:
            e = index[rid] = len(ids)
            ids.append(rid)
            labels.append(r["label"])
            name_keys.append(key(r.get("name", ""), True, fold_diacritics))
        for text, cs in _alias_specs(r):
            k = key(text, True, fold_diacritics)
            if not k:
                continue
            cs = case_sensitive if cs is None else cs
            exact = key(text, False, fold_diacritics) if cs else None
            table.setdefault(k, []).append((e, k == name_keys[e], exact))
    for entries in table.values():
        entries.sort(key=lambda x: (not x[1], x[0]))
    return ids, table


def reference_tag(records, text, case_sensitive=False, fold_diacritics=False, overlapping=False):
    r"""-> [(start, end, entity_id, candidate ids tuple)] with str indices.

    >>> recs = [{"id": "ru", "label": "PLACE", "name": "Russia"},
    ...         {"id": "mod", "label": "ORG", "name": "Russian Ministry of Defense"},
    ...         {"id": "sbu", "label": "ORG", "name": "Security Service of Ukraine",
    ...          "aliases": [{"text": "SBU", "case_sensitive": True}]}]
    >>> reference_tag(recs, "Russia’s RUSSIAN MINISTRY\nof Defense, sbu, SBU, Russian")
    [(0, 6, 'ru', ('ru',)), (9, 36, 'mod', ('mod',)), (43, 46, 'sbu', ('sbu',))]
    >>> reference_tag([{"id": "z", "label": "P", "name": "Zelenskyi"}], "😀 Zelenskýi",
    ...               fold_diacritics=True)
    [(2, 11, 'z', ('z',))]
    """
    ids, table = build(records, case_sensitive, fold_diacritics)
    norm, origin = normalize(text, True, fold_diacritics)
    matches = []  # (start, end, candidates)
    next_free = 0
    for j in range(len(norm)):
        if j < next_free and not overlapping:
            continue
        if j > 0 and origin[j] == origin[j - 1]:
            continue  # inside one character's output
        if origin[j] > 0 and is_word(text[origin[j] - 1]):
            continue
        here = []
        for k, entries in table.items():
            end = j + len(k)
            if not norm.startswith(k, j) or origin[end] == origin[end - 1]:
                continue
            s, e = origin[j], origin[end]
            if e < len(text) and is_word(text[e]):
                continue
            surface = None
            candidates = []
            for entity, _, exact in entries:
                if exact is not None:
                    if surface is None:
                        surface = key(text[s:e], False, fold_diacritics)
                    if surface != exact:
                        continue
                if ids[entity] not in candidates:
                    candidates.append(ids[entity])
            if candidates:
                here.append((s, e, end, tuple(candidates)))
        if not here:
            continue
        if overlapping:
            matches.extend((s, e, c) for s, e, _, c in here)
        else:
            s, e, end, c = max(here, key=lambda x: x[2])
            matches.append((s, e, c))
            next_free = end
    matches.sort(key=lambda m: (m[0], m[1]))
    return [(s, e, c[0], c) for s, e, c in matches]


# ------------------------------------------------------------------ differential check

ALPHABET = [
    "a",
    "A",
    "b",
    "B",
    "s",
    "S",
    "\u00df",
    "\u1e9e",
    "i",
    "I",
    "\u0130",
    "\u0307",
    "\u0301",
    "\u00e9",
    "e\u0301",
    "E",
    " ",
    "  ",
    "\n",
    "\u00a0",
    "\t",
    "'",
    "\u2019",
    "\u02bc",
    "-",
    "\u2014",
    '"',
    "\u201c",
    "\u0436",
    "\u0416",
    "\U0001f600",
    "\u6771",
    "1",
    "\u01f0",
    "\u0149",
    "\ufb00",
    "f",
    "\u03c2",
    "\u03c3",
    "\u03a3",
    ".",
    "_",
    "\uac00",
]


VOCABULARY = [
    "new",
    "York",
    "kiev",
    "Kievan",
    "the",
    "s",
    "NEW",
    "Stra\u00dfe",
    "STRASSE",
    "\u0130zmir",
    "izmir",
    "Zelensk\u00fdi",
    "zelenskyi",
    "\u0445\u0430\u0440\u043a\u0456\u0432",
    "AP",
    "ap",
    "1",
    "\u6771\u4eac",
]
SEPARATORS = [
    " ",
    " ",
    "  ",
    "\n",
    "\u00a0",
    "-",
    "\u2013",
    "'",
    "\u2019",
    ".",
    ", ",
    "",
    "\U0001f600",
    "\u0301",
]


def _random_case(rng):
    if rng.random() < 0.5:

        def word(n):
            return "".join(rng.choice(ALPHABET) for _ in range(n))
    else:

        def word(n):
            return "".join(
                rng.choice(VOCABULARY) + rng.choice(SEPARATORS) for _ in range(n)
            ).rstrip()

    records = []
    for _i in range(rng.randint(0, 5)):
        aliases = []
        for _ in range(rng.randint(0, 3)):
            t = word(rng.randint(0, 4))
            r = rng.random()
            aliases.append(t if r < 0.5 else {"text": t, "case_sensitive": r < 0.8})
        records.append(
            {
                "id": f"e{rng.randint(0, 6)}",
                "label": "P",
                "name": word(rng.randint(0, 3)),
                "aliases": aliases,
            }
        )
    surfaces = [r["name"] for r in records] + [
        a if isinstance(a, str) else a["text"] for r in records for a in r["aliases"]
    ]
    pieces = []
    for _ in range(rng.randint(0, 8)):
        if surfaces and rng.random() < 0.6:
            t = rng.choice(surfaces)
            pieces.append(rng.choice([t, t, t.upper(), t.lower(), t.casefold()]))
        else:
            pieces.append(word(rng.randint(0, 3)))
    text = "".join(pieces)
    if records and rng.random() < 0.05:
        records[-1]["label"] = "Q"
    options = {"case_sensitive": rng.random() < 0.2, "fold_diacritics": rng.random() < 0.4}
    return {"records": records, "options": options, "text": text, "overlapping": rng.random() < 0.3}


def main():
    import argparse
    import json
    import random
    import subprocess
    from pathlib import Path

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--dump",
        default=str(Path(__file__).resolve().parents[1] / "target/debug/examples/tag_dump"),
    )
    args = ap.parse_args()
    rng = random.Random(args.seed)
    cases = [_random_case(rng) for _ in range(args.rounds)]
    got = subprocess.run(
        [args.dump], input=json.dumps(cases).encode(), capture_output=True, check=True
    ).stdout
    results = [json.loads(line) for line in got.decode().splitlines()]
    bad = 0
    for case, res in zip(cases, results):
        try:
            want = reference_tag(
                case["records"], case["text"], overlapping=case["overlapping"], **case["options"]
            )
            want = [[s, e, c[0], list(c)] for s, e, _, c in want]
        except ValueError:
            want = "error"
        if want != res:
            bad += 1
            if bad <= 5:
                print(json.dumps({"case": case, "rust": res, "reference": want}, ensure_ascii=True))
    print(f"{len(cases) - bad} passed, {bad} failed")
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
