"""Pseudonymisation: keyed, stable, one-way, one value per account however it is written."""

from __future__ import annotations

import pytest

from soitin.ingest.privacy import pseudonymise_author


def test_same_handle_same_key_same_value() -> None:
    a = pseudonymise_author("@Nguyen.Van.A", "k1")
    assert (
        a
        == pseudonymise_author("nguyen.van.a", "k1")
        == pseudonymise_author(" @NGUYEN.VAN.A", "k1")
    )
    assert len(a) == 64 and "nguyen" not in a


def test_the_key_matters() -> None:
    assert pseudonymise_author("an", "k1") != pseudonymise_author("an", "k2")
    assert pseudonymise_author("an", "k1") != pseudonymise_author("binh", "k1")


def test_vietnamese_handles_compare_after_nfc() -> None:
    composed = pseudonymise_author("Hương", "k")
    assert composed == pseudonymise_author("Hu\u031bo\u031bng", "k")


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="key"):
        pseudonymise_author("an", "")
