"""What each named model is trained on, with which settings, and what its card says."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from soitin.detect.cues import STYLE_CUES
from soitin.detect.features import FeatureSpec
from soitin.detect.normalise import PREP_LIGHT, PREP_NEUTRAL, PREP_URL_HOST
from soitin.detect.training import LinearConfig

__all__ = [
    "BENCHMARKS",
    "CATALOG",
    "FRAME_CUES",
    "PRODUCT",
    "PRODUCT_SPEC",
    "ModelSpec",
    "Source",
]

#: One feature space shared by every product detector, so a batch is featurised once.
PRODUCT_SPEC = FeatureSpec(n_bits=20, char_min=1, char_max=5, word_max=2)
FRAME_CUES = ("frame_warning", "frame_denial", "frame_reporting")


@dataclass(frozen=True)
class Source:
    """One training source: a shared data folder with its columns and label mapping."""

    folder: str
    text: str
    label: str
    mapping: dict[str, str] | None = None  # data-set label -> model label (None: as is)
    dev: bool = True  # has a dev split used for the card's figures
    fixed: str | None = None  # every row gets this model label (benign background traffic)
    limit: int | None = None  # first N rows only (file order is a fixed hash order)
    exclude: tuple[str, ...] = ()  # data-set labels left out
    text2: str | None = None  # a second text column appended (headline + lead)
    fine: str | None = None  # column of finer classes to train on (see ModelSpec.answers)


@dataclass(frozen=True)
class ModelSpec:
    """A named model: its sources, labels, hyper-parameters and card text."""

    name: str
    kind: str  # "benchmark", "product" or "spans"
    labels: tuple[str, ...]
    sources: tuple[Source, ...]
    config: LinearConfig = field(default_factory=LinearConfig)
    augment: str | None = None  # detector name in augment/frames.csv (product models)
    # each augmentation row counted this many times (a few dozen written texts against
    # tens of thousands of corpus rows)
    augment_repeat: int = 1
    harmful: dict[str, str] = field(default_factory=dict)  # label -> "0"/"1" for evaluation
    # trained on the sources' `fine` column: fine class -> label answered (None: labels as is)
    answers: dict[str, str] | None = None
    card: str = ""
    terms: str = ""


def _background(label: str) -> Source:
    """Benign news headlines + leads (baomoi) as `label`: everyday text is not harmful."""
    return Source(
        "baomoi_tc201805", "title", "label", dev=False, fixed=label, limit=3000,
        exclude=("Thú cưng và Động vật",), text2="text",
    )  # fmt: skip


def _comments(label: str, limit: int = 1000) -> tuple[Source, ...]:
    """Everyday social-media comments (ViHSD clean, ViCTSD non-toxic) as `label`."""
    return (
        Source("vihsd", "free_text", "label_id", dev=False, fixed=label, limit=limit,
               exclude=("1", "2")),
        Source("victsd", "Comment", "Toxicity", dev=False, fixed=label, limit=limit,
               exclude=("1",)),
    )  # fmt: skip


def _mapped(labels: tuple[str, ...]) -> dict[str, str]:
    return {lab: ("0" if i == 0 else "1") for i, lab in enumerate(labels)}


_VIHSD = Source("vihsd", "free_text", "label_id")
_SMISHING = Source("vi_smishing_ie403", "content", "label")
_REINTEL = Source("reintel", "post_message", "label")
_VISPAM = Source("vispamreviews", "Comment", "Label")

_T_VIHSD = (
    "ViHSD (Luu, Nguyen & Nguyen, IEA/AIE 2021, arXiv:2103.11528), "
    "github.com/sonlam1102/vihsd @826ef5e; no licence file, README: research purposes only."
)
_T_VICTSD = (
    "UIT-ViCTSD (Nguyen, Nguyen & Nguyen, IEA/AIE 2021, arXiv:2103.10069), "
    "github.com/tarudesu/ViCTSD @e1ffb85; no licence file, research use, cite the paper."
)
_T_VISPAM = (
    "ViSpamReviews (Van Dinh, Luu & Nguyen, ACIIDS 2022, arXiv:2207.14636), "
    "github.com/sonlam1102/vispamdetection @e5ee5ef; no licence file, research purposes."
)
_T_REINTEL = (
    "ReINTEL, VLSP 2020 (Le et al.), third-party copy github.com/MarkusKhoa/VLSP2020-ReINTEL; "
    "VLSP research-only user agreement; our carved train/dev split (seed 20250701)."
)
_T_SMISHING = (
    "UIT IE403 smishing SMS (student coursework), github.com/duynguyenhoang22/IE403_DoAnCuoiKy "
    "@8229fe6; no licence, internal evaluation only; privacy-filtered (phones -> <PHONE>, long "
    "digit runs -> <NUM>)."
)
_T_VIHOS = (
    "ViHOS (Hoang et al., EACL 2023, arXiv:2301.10186), github.com/phusroyal/ViHOS @fe31c4b; "
    "MIT licence."
)
_T_VFND = "VFND (Zenodo 10.5281/zenodo.2578917), GPL-3.0 repository; 154 train articles."
_T_VNTC = (
    "VNTC (Vu Cong Duy Hoang et al., RIVF 2007), github.com/duyvuleo/VNTC via "
    "underthesea.classification @da29b0b; MIT repository, article texts (2005-2006) remain the "
    "newspapers' copyright."
)
_T_AUG = (
    "augment/frames.csv: Vietnamese warnings, news reports, denials and a few harmful "
    "examples written by the soitin team (ours; not the hard-negative evaluation set)."
)

CATALOG: dict[str, ModelSpec] = {
    "vihsd": ModelSpec(
        "vihsd",
        "benchmark",
        ("0", "1", "2"),
        (_VIHSD,),
        LinearConfig(c=4.0, spec=FeatureSpec(char_max=6)),
        card="Hate / offensive speech of social-media comments: 0 CLEAN, 1 OFFENSIVE, 2 HATE.",
        terms=_T_VIHSD,
    ),
    "victsd-toxicity": ModelSpec(
        "victsd-toxicity",
        "benchmark",
        ("0", "1"),
        (Source("victsd", "Comment", "Toxicity"),),
        # char 6-grams: out-of-fold macro-F1 0.691 -> 0.694 on train (4 folds)
        LinearConfig(c=4.0, spec=FeatureSpec(char_max=6)),
        card="Toxic (1) vs non-toxic (0) comments under VnExpress articles.",
        terms=_T_VICTSD,
    ),
    "vispam": ModelSpec(
        "vispam",
        "benchmark",
        ("0", "1"),
        (Source("vispamreviews", "Comment", "Label", fine="SpamLabel"),),
        # trained on the spam types (as vispam-type), answering spam = any type: out-of-fold
        # macro-F1 0.848 (binary, style cues) -> 0.863, ROC-AUC 0.932 -> 0.942
        LinearConfig(c=10.0, spec=FeatureSpec(prep=PREP_LIGHT), cues=STYLE_CUES, solver="ovr"),
        answers={"0": "0", "1": "1", "2": "1", "3": "1"},
        card="Spam (1) vs genuine (0) e-commerce reviews; learnt from the three spam types "
        "(fake review, brand/shop only, irrelevant) and the genuine reviews, spam being any type.",
        terms=_T_VISPAM,
    ),
    "vispam-type": ModelSpec(
        "vispam-type",
        "benchmark",
        ("0", "1", "2", "3"),
        (Source("vispamreviews", "Comment", "SpamLabel"),),
        # light preparation keeps the letter repeats of SPAM-3 mashing; one-vs-rest fits
        # twice as fast as multinomial: out-of-fold macro-F1 0.698 -> 0.717, + cues 0.726
        LinearConfig(c=10.0, spec=FeatureSpec(prep=PREP_LIGHT), cues=STYLE_CUES, solver="ovr"),
        card="Review spam type: 0 no spam, 1 fake review, 2 brand/shop only, 3 irrelevant.",
        terms=_T_VISPAM,
    ),
    "reintel": ModelSpec(
        "reintel",
        "benchmark",
        ("0", "1"),
        (_REINTEL,),
        LinearConfig(c=10.0),
        card="Unreliable (1) vs reliable (0) social-network posts; text only (no user or "
        "engagement features).",
        terms=_T_REINTEL,
    ),
    "smishing": ModelSpec(
        "smishing",
        "benchmark",
        ("0", "1"),
        (_SMISHING,),
        # URL host labels and diacritic-free words: out-of-fold macro-F1 0.916 -> 0.920,
        # ROC-AUC 0.982 -> 0.984. NB-weighted n-grams (alpha 1, the paper's default), over
        # four 5-fold splits of train: macro-F1 0.923 -> 0.930 (better in 3 of 4), ROC-AUC
        # 0.9837 -> 0.9847 (better in all 4)
        LinearConfig(c=10.0, spec=FeatureSpec(fold_words=1, prep=PREP_URL_HOST), nb_alpha=1.0),
        card="Scam / smishing (1) vs legitimate (0) SMS.",
        terms=_T_SMISHING,
    ),
    "vihos": ModelSpec(
        "vihos",
        "spans",
        ("0", "1"),
        (Source("vihos", "content", "index_spans"),),
        card="Character spans of hate / offensive words in comments.",
        terms=_T_VIHOS,
    ),
    "toxicity": ModelSpec(
        "toxicity",
        "product",
        ("clean", "offensive", "hate"),
        (
            Source("vihsd", "free_text", "label_id", {"0": "clean", "1": "offensive", "2": "hate"}),
            _background("clean"),
            # every SMS (legitimate or scam) as clean: without them 17.4 % of legitimate SMS
            # (dev; bank OTP messages written without diacritics, in capitals) were flagged as
            # hate, 0 % with them
            Source("vi_smishing_ie403", "content", "label", dev=False, fixed="clean"),
        ),
        # names of authorities and political terms taken out: language is judged, never
        # whether a text is about or criticises officials, the state or a party
        LinearConfig(c=4.0, spec=replace(PRODUCT_SPEC, prep=PREP_NEUTRAL), cues=FRAME_CUES),
        augment="toxicity",
        augment_repeat=5,
        harmful={"clean": "0", "offensive": "1", "hate": "1"},
        card="Product detector: clean / offensive / hate, with offending spans from `vihos`.",
        terms=_T_VIHSD + " " + _T_SMISHING + " " + _T_AUG,
    ),
    "scam": ModelSpec(
        "scam",
        "product",
        ("legit", "scam"),
        # no news background here: it cost 5 points of dev macro-F1 (0.894 -> 0.845)
        (Source("vi_smishing_ie403", "content", "label", {"0": "legit", "1": "scam"}),),
        LinearConfig(c=10.0, spec=PRODUCT_SPEC, cues=FRAME_CUES),
        augment="scam",
        harmful=_mapped(("legit", "scam")),
        card="Product detector: scam / fraud probability plus extracted evidence.",
        terms=_T_SMISHING + " " + _T_AUG,
    ),
    "misinformation": ModelSpec(
        "misinformation",
        "product",
        ("reliable", "unreliable"),
        (
            Source("reintel", "post_message", "label", {"0": "reliable", "1": "unreliable"}),
            Source("vfnd", "text", "label", {"0": "reliable", "1": "unreliable"}, dev=False),
            _background("reliable"),
            # everyday comments and news articles as reliable: without them 12.6 % of clean
            # ViHSD comments, 17.9 % of non-toxic ViCTSD comments and 11.6 % of VNTC articles
            # (dev) were flagged, now 1.6 %, 3.8 % and 4.0 %; ReINTEL dev macro-F1 0.784 ->
            # 0.756, ROC-AUC 0.896 -> 0.876 (docs/models/misinformation.md)
            *_comments("reliable"),
            Source("vntc", "title", "label", dev=False, fixed="reliable", limit=1000, text2="text"),
        ),
        LinearConfig(c=10.0, spec=PRODUCT_SPEC, cues=FRAME_CUES),
        augment="misinformation",
        harmful=_mapped(("reliable", "unreliable")),
        card="Product detector: unreliable-information probability of posts and articles.",
        terms=" ".join((_T_REINTEL, _T_VFND, _T_VIHSD, _T_VICTSD, _T_VNTC, _T_AUG)),
    ),
    "spam": ModelSpec(
        "spam",
        "product",
        ("ham", "spam"),
        (
            # commercial spam: fake reviews and brand/shop promotion; SPAM-3 ("irrelevant,
            # not a review") is left out, since outside review sections that is most text
            Source("vispamreviews", "Comment", "SpamLabel", {"0": "ham", "1": "spam", "2": "spam"}),
            _background("ham"),
        ),
        LinearConfig(c=10.0, spec=PRODUCT_SPEC),
        harmful=_mapped(("ham", "spam")),
        card="Product detector: commercial spam (fake reviews, brand/shop promotion); "
        "ViSpamReviews SPAM-3 (irrelevant text) is not counted as spam.",
        terms=_T_VISPAM,
    ),
}

PRODUCT = ("toxicity", "scam", "misinformation", "spam")
BENCHMARKS = ("vihsd", "victsd-toxicity", "vispam", "vispam-type", "reintel", "smishing", "vihos")
