"""Properties of normalisation, folding and tagging, over generated text (hypothesis)."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soitin.places.tagger import tag_places
from soitin.text.fold import fold_diacritics, fold_for_search
from soitin.text.letters import VOWEL_COMPOSE
from soitin.text.normalise import normalise, normalise_for_matching
from soitin.text.teencode import expand_teencode

VIETNAMESE = "aăâeêioôơuưyđAĂÂEÊIOÔƠUƯYĐbcdghklmnpqrstvx" + "".join(
    c for (base, tone), c in VOWEL_COMPOSE.items() if tone
)
vietnamese_text = st.text(
    alphabet=st.sampled_from(list(VIETNAMESE + "  .,!?\n\t\u200b\u0300\u0301\u0303\u0309\u0323")),
    max_size=80,
)
any_text = st.text(max_size=200)
texts = st.one_of(any_text, vietnamese_text)
MEGABYTE = 1 << 20

# Syllables whose tone may sit on either vowel: old and new conventions.
ONSETS = ["", "h", "kh", "th", "ch", "l", "t", "x", "ng", "nh", "tr", "d", "đ"]
TONES = ["\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]


@st.composite
def tone_variants(draw: st.DrawFn) -> tuple[str, str]:
    """The same word with its tone mark on the first and on the second vowel."""
    onset = draw(st.sampled_from(ONSETS))
    pair = draw(st.sampled_from(["oa", "oe", "uy"]))
    tone = draw(st.sampled_from(TONES))
    first = onset + unicodedata.normalize("NFC", pair[0] + tone) + pair[1]
    second = onset + pair[0] + unicodedata.normalize("NFC", pair[1] + tone)
    return first, second


@given(texts)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@given(texts)
@settings(max_examples=200, deadline=None)
def test_matching_form_is_idempotent(text: str) -> None:
    once = normalise_for_matching(text)
    assert normalise_for_matching(once) == once


@given(texts)
@settings(max_examples=300, deadline=None)
def test_folding_ignores_nfc_or_nfd(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert fold_diacritics(nfc) == fold_diacritics(nfd)
    assert normalise(nfc) == normalise(nfd)


@given(tone_variants(), st.sampled_from(["", " ơi", " quá"]))
@settings(deadline=None)
def test_tone_conventions_meet(words: tuple[str, str], tail: str) -> None:
    first, second = words
    assert normalise(first + tail) == normalise(second + tail)
    assert fold_diacritics(first) == fold_diacritics(second)
    assert fold_for_search(first.upper() + tail) == fold_for_search(second + tail)


@given(texts)
@settings(max_examples=300, deadline=None)
def test_fold_gives_lower_case_without_combining_marks(text: str) -> None:
    folded = fold_diacritics(text)
    assert folded == fold_diacritics(folded)
    assert not any(unicodedata.category(c) == "Mn" for c in folded)


@given(texts)
@settings(max_examples=300, deadline=None)
def test_no_input_raises_and_mentions_point_into_the_text(text: str) -> None:
    expand_teencode(text)
    tags = tag_places(text)
    for mention in tags.mentions:
        assert text[mention.start : mention.end] == mention.text
        assert mention.code


@given(st.text(min_size=1, max_size=40))
@settings(max_examples=3, deadline=None)
def test_one_megabyte_inputs_do_not_raise(chunk: str) -> None:
    text = (chunk * (MEGABYTE // len(chunk) + 1))[:MEGABYTE]
    fold_diacritics(text)
    normalise_for_matching(text)
    tag_places(text)


def test_one_megabyte_of_vietnamese_with_places() -> None:
    sentence = "Mưa lớn ở phường Bến Nghé, quận 1, TP.HCM; hoà bình và Thái Bình Dương. "
    text = sentence * (MEGABYTE // len(sentence))
    tags = tag_places(text)
    assert tags.province_codes == ["79"]
    assert normalise(text).count("hòa bình") == text.count("hoà bình")


def _normalise_every_pass(text: str) -> str:
    """`normalise` with every regular-expression pass run, as before the printable fast path."""
    from soitin.text import normalise as n

    if not text:
        return text
    text = n._NEWLINES_RE.sub("\n", n._INVISIBLE_RE.sub("", text))
    text = unicodedata.normalize("NFC", text)
    text = n.squeeze_repeats(text)
    text = n._TONE_CANDIDATE_RE.sub(n._fix_tone_match, text)
    text = n._HSPACE_RE.sub(" ", text)
    text = n._SPACE_AROUND_NL_RE.sub("\n", text)
    text = n._MANY_NL_RE.sub("\n\n", text).strip(" \n")
    return unicodedata.normalize("NFC", text)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(texts, st.text(alphabet=" \u00a0\u2009\u3000\t\n\r\u200b\u00ad ab", max_size=30)))
def test_printable_fast_path_changes_nothing(text: str) -> None:
    assert normalise(text) == _normalise_every_pass(text)


emoji_and_symbols = st.text(
    alphabet=st.sampled_from(
        list("🙏😀🔥❤️✅€—“”…·ΣσςΟİı한東京ǅǈ" + VIETNAMESE + " .!\u0301\u0323")
    ),
    max_size=60,
)


@given(st.one_of(any_text, emoji_and_symbols))
@settings(max_examples=500, deadline=None)
def test_folding_fast_paths_agree_with_the_definition(text: str) -> None:
    from soitin.text.fold import _fold_general

    assert fold_diacritics(text) == _fold_general(text)
