"""Detectors built on the linear models: the generic one and the four product detectors."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import MutableMapping, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import sparse

from soitin.detect.cues import cue_matrix
from soitin.detect.evidence import Evidence, extract_evidence, frame_of
from soitin.detect.features import featurise, ngram_arrays_many
from soitin.detect.linear import Contribution, LinearTextModel, LogCounts, NGramArrays
from soitin.detect.normalise import MAX_CHARS, clip, prepare_many
from soitin.detect.protocol import BENIGN_LABELS, DetectionResult, Highlight
from soitin.detect.spans import SpanModel, offsets_to_spans

__all__ = [
    "LinearDetector",
    "MisinformationDetector",
    "ScamDetector",
    "SpamDetector",
    "ToxicityDetector",
]


def _haystack(raw: str) -> str | None:
    """The raw text as `_locate` searches it (NFC, lower case); None when that changes its
    length, so offsets found in it would not be offsets of the raw text."""
    hay = unicodedata.normalize("NFC", raw[:MAX_CHARS]).lower()
    return hay if len(hay) == len(raw[:MAX_CHARS]) else None


def _locate(hay: str | None, needle: str) -> tuple[int, int] | None:
    """Where a word or phrase of the prepared text sits in the raw text (see `_haystack`)."""
    if not needle or hay is None:
        return None
    # whole words only ("ai" in "Ai biết", not inside "hai"); a phrase the preparation
    # changed ("ko" read as "không") is not marked. `str.find` with the boundary checks of
    # `(?<!\w)…(?!\w)`: one compiled pattern per needle overflowed `re`'s pattern cache.
    start = hay.find(needle)
    while start >= 0:
        end = start + len(needle)
        if not _word_char(hay, start - 1) and not _word_char(hay, end):
            return (start, end)
        start = hay.find(needle, start + 1)
    return None


# A quotation: “…”, „…“, «…», "…", ‘…’, or '…' opened after a space, colon or bracket and
# closed before a space, punctuation or the end (so that an apostrophe opens nothing).
_QUOTED = re.compile(
    r"“[^”]{2,}”|„[^“”]{2,}[“”]|«[^»]{2,}»|\"[^\"]{2,}\"|‘[^’]{2,}’"
    r"|(?:^|(?<=[\s:(\[]))'[^']{2,}'(?=[\s.,;:!?)\]]|$)"
)


def quoted_aside(text: str) -> str | None:
    """The text without its quotations, when what is left frames them as a warning, a
    denial or a report ("Cảnh sát: nhóm đối tượng nhắn tin '…trúng thưởng… STK …' đã bị bắt
    giữ"); None when the text quotes nothing, or the rest frames nothing."""
    if not _QUOTED.search(text):
        return None
    rest = _QUOTED.sub(" ", text)  # plain: an ellipsis would send folding the slow way
    return rest if frame_of(rest) else None


def _word_char(text: str, i: int) -> bool:
    """Whether `text[i]` exists and is a word character (what `\\w` matches: `str.isalnum`
    or the underscore)."""
    return 0 <= i < len(text) and (text[i].isalnum() or text[i] == "_")


class LinearDetector:
    """A detector around one `LinearTextModel` (also used for the benchmark models)."""

    #: Every flagged text (a harmful label) is explained: the n-grams and cues behind its
    #: label, offending spans, where it sits. Texts not flagged are explained too when at
    #: least this likely to be harmful (above 1, the default: never).
    explain_min = 1.01
    #: False: scores and labels only (no explanations, spans or highlights).
    explain = True
    #: True: the quotation rule (`quotation_rule`) applies.
    quotes_frame = False

    def __init__(self, name: str, model: LinearTextModel) -> None:
        self.name = name
        self.model = model
        self.version = model.version
        self.labels = tuple(model.labels)
        benign = [i for i, lab in enumerate(self.labels) if lab in BENIGN_LABELS]
        self._benign = benign[0] if benign else 0

    @property
    def spec(self) -> object:
        return self.model.spec

    def score(self, batch: Sequence[str], *, explain: bool = True) -> list[DetectionResult]:
        """Results for `batch`; `explain=False` (or `self.explain` false): scores and labels
        only."""
        texts = [clip(t) for t in batch]
        prepared = prepare_many(texts, self.model.spec.prep)
        return self.score_prepared(
            texts, prepared, featurise(prepared, self.model.spec), explain=explain
        )

    def harmful_score(self, proba: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Probability of any harmful label (1 - P(benign))."""
        return np.asarray(1.0 - proba[:, self._benign], dtype=np.float32)

    def score_prepared(
        self,
        texts: Sequence[str],
        prepared: Sequence[str],
        counts: sparse.csr_matrix,
        *,
        logged: LogCounts | None = None,
        cue_values: npt.NDArray[np.float32] | None = None,
        gram_cache: MutableMapping[int, NGramArrays] | None = None,
        explain: bool = True,
    ) -> list[DetectionResult]:
        """Score texts whose prepared form and n-gram counts are already computed.

        `logged`, `cue_values` and `gram_cache` (text index → its n-gram arrays, filled
        as texts are explained) may come from a suite that shares them between models.
        """
        explain = explain and self.explain
        model = self.model
        if cue_values is None and model.cues:
            cue_values = cue_matrix(texts, model.cues)
        grams_of: MutableMapping[int, NGramArrays] = {} if gram_cache is None else gram_cache
        decision = model.decision(counts, texts, logged=logged, cue_values=cue_values)
        proba = model.proba_from_decision(decision)
        labels = model.predict_from_proba(proba)
        harmful = self.harmful_score(proba)
        harmful_list = harmful.tolist()
        explained = (
            [
                i
                for i, (lab, score) in enumerate(zip(labels, harmful_list, strict=True))
                if lab not in BENIGN_LABELS or score >= self.explain_min
            ]
            if explain
            else []
        )
        if explained:
            cleared = self.cleared_later(texts, explained, harmful_list)
            explained = [i for i in explained if i not in cleared]
        why = dict(
            zip(
                explained,
                self._explain(
                    texts, prepared, counts, proba, labels, explained, cue_values, grams_of
                ),
                strict=True,
            )
        )
        out = []
        proba_rows = proba.tolist()
        for i, text in enumerate(texts):
            probs = dict(zip(self.labels, proba_rows[i], strict=True))
            score = harmful_list[i]
            explanation: tuple[tuple[str, float], ...] = ()
            highlights: list[Highlight] = []
            frames: tuple[str, ...] = ()
            if i in why:
                contribs = why[i]
                explanation = tuple((c.feature, c.weight) for c in contribs)
                hay = _haystack(text)  # once per text, not once per word
                for c in contribs:
                    where = _locate(hay, c.feature)
                    if where:
                        highlights.append(
                            Highlight(
                                where[0], where[1], text[where[0] : where[1]], c.weight, "ngram"
                            )
                        )
                frames = tuple(frame_of(text))
            result = DetectionResult(
                detector=self.name,
                model=model.name,
                version=self.version,
                label=labels[i],
                score=score,
                probabilities=probs,
                explanation=explanation,
                highlights=tuple(highlights),
                frames=frames,
            )
            out.append(result)
        return self.quotation_rule(texts, self.extend_batch(texts, out, explain=explain))

    def cleared_later(
        self, texts: Sequence[str], flagged: Sequence[int], scores: Sequence[float]
    ) -> set[int]:
        """Of the texts about to be explained, those `extend` will clear anyway (their
        explanation would be thrown away); none by default."""
        return set()

    def _explain(
        self,
        texts: Sequence[str],
        prepared: Sequence[str],
        counts: sparse.csr_matrix,
        proba: npt.NDArray[np.float32],
        labels: Sequence[str],
        explained: list[int],
        cue_values: npt.NDArray[np.float32] | None,
        grams_of: MutableMapping[int, NGramArrays],
    ) -> list[list[Contribution]]:
        """Why each of the `explained` texts got its label (a harmful one), or, for a text
        labelled benign, the likeliest harmful label: all in one vectorised pass."""
        if not explained:
            return []
        index_of = {lab: j for j, lab in enumerate(self.labels)}
        not_benign = np.where(np.arange(len(self.labels)) == self._benign, -1.0, proba)
        targets = [
            index_of[labels[i]] if labels[i] not in BENIGN_LABELS else int(not_benign[i].argmax())
            for i in explained
        ]
        # the n-grams (with positions) of the texts not yet seen by a model of this space
        todo = [i for i in explained if i not in grams_of]
        grams_of.update(
            zip(todo, ngram_arrays_many([prepared[i] for i in todo], self.model.spec), strict=True)
        )
        return self.model.explain_many(
            [texts[i] for i in explained],
            [prepared[i] for i in explained],
            targets,
            counts[explained],
            [grams_of[i] for i in explained],
            None if cue_values is None else cue_values[explained],
        )

    def quotation_rule(
        self, texts: Sequence[str], results: list[DetectionResult]
    ) -> list[DetectionResult]:
        """A flagged text that quotes the harm inside a warning, a denial or a report is
        scored again without its quotations and keeps that result when it is not flagged:
        police pages quote a scam's own words, number and account, newspapers the insults
        of a case, officials the rumour they deny (`quoted_aside`). Product detectors only
        (`quotes_frame`); the benchmark models are scored as trained."""
        if not self.quotes_frame:
            return results
        todo = [
            (i, rest)
            for i, r in enumerate(results)
            if r.label not in BENIGN_LABELS and (rest := quoted_aside(texts[i])) is not None
        ]
        if not todo:
            return results
        out = list(results)
        # only the label and score of the rest are used: it is not explained
        rescored = self.score([rest for _, rest in todo], explain=False)
        for (i, _), other in zip(todo, rescored, strict=True):
            if other.label in BENIGN_LABELS:
                out[i] = _replace(
                    out[i],
                    label=other.label,
                    score=other.score,
                    probabilities=other.probabilities,
                    explanation=(),
                    highlights=tuple(h for h in out[i].highlights if h.source == "evidence"),
                )
        return out

    def extend_batch(
        self, texts: Sequence[str], results: list[DetectionResult], *, explain: bool = True
    ) -> list[DetectionResult]:
        """Hook over a whole batch (the default calls `extend` on each result); `explain`
        false: the results are not explained."""
        return [self.extend(t, r) for t, r in zip(texts, results, strict=True)]

    def extend(self, text: str, result: DetectionResult) -> DetectionResult:
        """Hook for product detectors to add spans or evidence."""
        return result


class ToxicityDetector(LinearDetector):
    """clean / offensive / hate, with offending character spans from the ViHOS span model."""

    quotes_frame = True

    def __init__(self, model: LinearTextModel, spans: SpanModel | None) -> None:
        super().__init__("toxicity", model)
        self.span_model = spans
        if spans is not None:
            self.version = f"{model.version}+{spans.version}"

    def extend_batch(
        self, texts: Sequence[str], results: list[DetectionResult], *, explain: bool = True
    ) -> list[DetectionResult]:
        """Offending spans for the texts labelled offensive or hate, in one pass.

        The spans explain the label, so they are skipped when explanations are off.
        """
        if self.span_model is None or not explain:
            return results
        todo = [i for i, r in enumerate(results) if r.label not in BENIGN_LABELS]
        if not todo:
            return results
        out = list(results)
        found = self.span_model.offsets([texts[i] for i in todo])
        for i, offsets in zip(todo, found, strict=True):
            text = texts[i]
            spans = tuple(
                Highlight(s, e, text[s:e], 1.0, "span-model") for s, e in offsets_to_spans(offsets)
            )
            if spans:
                out[i] = _replace(results[i], highlights=spans + results[i].highlights)
        return out


class ScamDetector(LinearDetector):
    """Scam / fraud probability plus extracted evidence (contacts, money, lures...).

    A scam needs a way for the victim to reach the sender or act (a phone number, an account,
    a link, "nhắn zalo", "chuyển khoản"...). A text with none is not flagged and its score is
    held at `unreachable_cap`: the model learnt from SMS, and news articles about banks,
    prizes or loans scored like scams (25.5 % of news headlines and 48 % of news articles were
    flagged before this rule, 1.8 % and 6.2 % after; 2.2 % and 7.4 % once more written scams
    were learnt).
    """

    evidence_min = 0.5
    unreachable_cap = 0.3
    quotes_frame = True

    def __init__(self, model: LinearTextModel) -> None:
        super().__init__("scam", model)

    def cleared_later(
        self, texts: Sequence[str], flagged: Sequence[int], scores: Sequence[float]
    ) -> set[int]:
        """Flagged texts with no way to reach the sender: `extend` clears them, so they are
        not explained (a sixth of the bench's posts were explained for nothing)."""
        low = min(self.evidence_min, self.unreachable_cap)
        return {i for i in flagged if scores[i] >= low and not evidence_of(texts[i]).reachable}

    def extend(self, text: str, result: DetectionResult) -> DetectionResult:
        if result.score < min(self.evidence_min, self.unreachable_cap):
            return result
        ev = evidence_of(text)
        if not ev.reachable:
            score = min(result.score, self.unreachable_cap)
            return _replace(
                result,
                label=self.labels[self._benign],
                score=score,
                probabilities={
                    lab: (1.0 - score if i == self._benign else score)
                    for i, lab in enumerate(self.labels)
                },
                explanation=(),
                highlights=(),
                evidence=ev.to_dict(),
                frames=ev.frames,
            )
        if result.score < self.evidence_min:
            return result
        marks = [
            Highlight(pos, pos + len(item), item, 0.0, "evidence")
            for item in (*ev.phones, *ev.accounts, *ev.links, *ev.domains, *ev.amounts)
            if (pos := text.find(item)) >= 0
        ]
        return _replace(
            result,
            evidence=ev.to_dict(),
            highlights=result.highlights + tuple(marks),
            frames=ev.frames,
        )


class MisinformationDetector(LinearDetector):
    """Probability that a post or article is unreliable (ReINTEL, VFND)."""

    quotes_frame = True

    def __init__(self, model: LinearTextModel) -> None:
        super().__init__("misinformation", model)


class SpamDetector(LinearDetector):
    """Commercial spam (ViSpamReviews), so spam does not flood the queues."""

    def __init__(self, model: LinearTextModel) -> None:
        super().__init__("spam", model)


def evidence_of(text: str) -> Evidence:
    """`extract_evidence`, remembered for the last texts up to 2,000 characters: the scam
    detector asks twice for a flagged text (before explaining it, then to extend it)."""
    return _evidence_cached(text) if len(text) <= 2_000 else extract_evidence(text)


_evidence_cached = lru_cache(maxsize=2048)(extract_evidence)


def _replace(result: DetectionResult, **changes: object) -> DetectionResult:
    from dataclasses import replace

    return replace(result, **changes)  # type: ignore[arg-type]
