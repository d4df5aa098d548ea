"""Language identification with py3langid."""

from __future__ import annotations

import pytest

from articles.language import detect_language

SAMPLES = {
    "en": "The council voted on Tuesday to turn the old warehouse district into a public park.",
    "de": "Der Stadtrat hat am Mittwoch beschlossen, neue Radwege in der Innenstadt zu bauen.",
    "fr": "Après deux années de travaux, le café de la gare a rouvert ses portes samedi matin.",
    "es": "El ayuntamiento aprobó el martes la construcción de un nuevo parque junto al río.",
    "pl": "Rada miasta zdecydowała we wtorek o budowie nowego parku nad rzeką w centrum.",
}


@pytest.mark.parametrize(("code", "text"), SAMPLES.items())
def test_identifies_the_language(code: str, text: str) -> None:
    detected, confidence = detect_language(text)
    assert detected == code
    assert 0.5 < confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "12345 67 89", "!!! ... ???"])
def test_no_language_without_letters(text: str) -> None:
    assert detect_language(text) == (None, 0.0)


def test_confidence_is_low_on_a_single_word() -> None:
    _, confidence = detect_language("Hello")
    assert 0.0 <= confidence < 0.8


def test_long_texts_are_sampled() -> None:
    code, confidence = detect_language(SAMPLES["de"] * 2000)
    assert code == "de" and confidence > 0.9
