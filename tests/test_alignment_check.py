"""The alignment check (runtime/train/alignment_check.py): Festival speech, aligned by PocketSphinx as
the real clips are, scored against its exact phone times."""

from __future__ import annotations

import pytest

from runtime.train import festival, flite
from runtime.train.alignment_check import check_voice, table

pytestmark = pytest.mark.skipif(not festival.voice_installed("kal"), reason="festival's kal voice is not installed")


def test_an_aligned_reference_is_close_to_the_exact_one_but_not_equal():
    pytest.importorskip("pocketsphinx")
    check = check_voice("kal", 2)
    assert check.utterances == 2 and check.hops > 300
    # PocketSphinx finds the phones (a broken alignment, or labels read off by a hop's scale, scores
    # far lower) but not exactly where Festival put them.
    assert 0.7 < check.reference.viseme_accuracy < 1.0
    assert 0.85 < check.reference.jaw_r < 1.0
    # The shipped model is scored against both references.
    assert check.model_exact.viseme_accuracy > 0.7 and check.model_aligned.viseme_accuracy > 0.6
    assert "| aligned reference | exact |" in table([check])


def test_the_unseen_voice_is_not_a_training_voice():
    assert not set(festival.UNSEEN_VOICES) & set(festival.VOICES)


@pytest.mark.skipif(not flite.available(), reason="flite is not installed")
def test_flites_times_are_as_true_as_festivals():
    """Flite's talkers train the model on their printed phone times: PocketSphinx finds the phones
    about where Flite says they are, as it does for Festival's."""
    pytest.importorskip("pocketsphinx")
    check = check_voice("awb", 2)
    assert check.utterances == 2 and check.hops > 300
    assert 0.7 < check.reference.viseme_accuracy < 1.0
    assert 0.85 < check.reference.jaw_r < 1.0


@pytest.mark.skipif(not festival.voice_installed("lp"), reason="festival's Italian lp voice is not installed")
def test_italian_aligned_from_espeaks_words_lands_near_festivals_own_phones():
    """The Italian prompts train on labels aligned through the English model from eSpeak NG's
    pronunciations: read by Festival's lp, whose phone times are exact, they come out close to them
    (all 40 prompts of `--prompts it --voice lp`: 0.85 of hops, jawOpen r 0.99; the model card's
    "Weights version 5")."""
    pytest.importorskip("pocketsphinx")
    check = check_voice("lp", 2, prompts="it")
    assert check.utterances == 2 and check.hops > 200
    assert 0.7 < check.reference.viseme_accuracy < 1.0
    assert 0.85 < check.reference.jaw_r < 1.0
