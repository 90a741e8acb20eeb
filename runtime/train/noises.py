"""Background sounds of real use, all synthesised here (no recordings, nothing downloaded), in
families split between training and evaluation so the evaluation hears noises no model trained on.

| family | split | what it is |
|---|---|---|
| coloured | train | white, pink or brown noise (what `augment.add_noise` already mixed in) |
| fan | train | 50 Hz mains hum and harmonics, blade-pass tone, pink airflow swelling at the rotation rate |
| babble | train | 4-7 overlapping eSpeak NG talkers: training voice variants in the training languages |
| keyboard | train | typing: key clicks (noise burst + 2-6 kHz resonances + low thock) in bursts of words |
| music-plucked | train | plucked-string chords and melody (decaying harmonics), 70-140 bpm, major and minor keys |
| breath-nose | train | soft nasal breaths: low-passed noise swells, 0.3-0.6 s |
| hvac | held-out | 60 Hz mains harmonics, duct rumble (brown), band-passed air hiss with slow drift |
| babble-unseen | held-out | 4-7 talkers of held-out voice variants in languages never trained on |
| street | held-out | passing cars (rumble + tyre hiss swells, engine tone gliding), horns, distant hum |
| music-band | held-out | pad chords with vibrato, bass line, lead, and drums (kick, snare, hi-hat) |
| breath-mouth | held-out | mouth inhalations and exhalations: broader, formant-coloured noise, 0.4-0.9 s |

Every generator takes a sample count and a numpy Generator and returns float32 of unit RMS (the
level is set by the mixer, `mixing.mix_at_snr`), so the same seed always gives the same noise.
Sources and licences: all of it is code in this file (MIT, the project's licence) except the babble
voices, which are eSpeak NG (GPL-3.0-or-later, PyPI `espeakng-loader`, the dev extra; used only to
make audio, nothing of it ships) speaking pseudo-words from `sentences.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, sosfilt

from runtime.audio.constants import SAMPLE_RATE

RATE = SAMPLE_RATE
Generator = Callable[[int, np.random.Generator], np.ndarray]


@dataclass(frozen=True)
class NoiseFamily:
    name: str
    held_out: bool  # True: evaluation only, never mixed into training data
    generate: Generator


# --- building blocks -----------------------------------------------------------------------------


def _unit_rms(audio: np.ndarray) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    return (audio / max(rms, 1e-12)).astype(np.float32)


def _filtered(audio: np.ndarray, cutoff, kind: str, order: int = 2) -> np.ndarray:
    return sosfilt(butter(order, cutoff, kind, fs=RATE, output="sos"), audio)


def coloured_noise(n: int, rng: np.random.Generator, slope: float) -> np.ndarray:
    """Amplitude spectrum falling as f^-slope: 0 white, 0.5 pink, 1 brown."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum /= np.maximum(np.arange(len(spectrum)), 1.0) ** slope
    return np.fft.irfft(spectrum, n)


def _harmonics(n: int, fundamental_hz: float, amplitudes: Sequence[float], rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / RATE
    return sum(a * np.sin(2 * np.pi * fundamental_hz * (k + 1) * t + rng.uniform(0, 2 * np.pi))
               for k, a in enumerate(amplitudes))


def _slow_drift(n: int, rng: np.random.Generator, period_s: float, depth: float) -> np.ndarray:
    """A smooth random envelope around 1 (± depth), changing over about period_s."""
    knots = max(int(n / RATE / period_s) + 2, 2)
    return 1.0 + depth * np.interp(np.arange(n), np.linspace(0, n, knots), rng.uniform(-1, 1, knots))


def _place(out: np.ndarray, event: np.ndarray, start: int) -> None:
    """Add `event` into `out` at `start`, cut at the end."""
    if start >= len(out):
        return
    stop = min(len(out), start + len(event))
    out[start:stop] += event[: stop - start]


def _decaying_tone(frequency_hz: float, duration_s: float, decay_s: float, harmonics: Sequence[float],
                   rng: np.random.Generator, damping: float = 1.0) -> np.ndarray:
    """A struck or plucked note: harmonics that decay, the higher ones faster (by `damping`)."""
    t = np.arange(int(duration_s * RATE)) / RATE
    note = np.zeros_like(t)
    for k, amplitude in enumerate(harmonics, start=1):
        if frequency_hz * k >= RATE / 2 - 500:
            break
        note += amplitude * np.sin(2 * np.pi * frequency_hz * k * t + rng.uniform(0, 2 * np.pi)) * np.exp(
            -t * (1 + damping * (k - 1)) / decay_s)
    return note * np.minimum(t / 0.003, 1.0)  # a 3 ms attack: no click from a step


def _midi_hz(note: float) -> float:
    return 440.0 * 2.0 ** ((note - 69) / 12)


def _chord_progression(rng: np.random.Generator, bars: int) -> list[list[int]]:
    """Triads (MIDI notes) of a random key, one per bar, from common progressions."""
    root = int(rng.integers(45, 57))
    minor = bool(rng.random() < 0.4)
    scale = (0, 2, 3, 5, 7, 8, 10) if minor else (0, 2, 4, 5, 7, 9, 11)
    progressions = ((0, 4, 5, 3), (0, 5, 3, 4), (0, 3, 4, 0), (5, 3, 0, 4))
    degrees = progressions[int(rng.integers(len(progressions)))]
    chords = []
    for bar in range(bars):
        degree = degrees[bar % len(degrees)]
        chords.append([root + scale[(degree + step) % 7] + 12 * ((degree + step) // 7) for step in (0, 2, 4)])
    return chords


# --- the families ----------------------------------------------------------------------------------


def coloured(n: int, rng: np.random.Generator) -> np.ndarray:
    return _unit_rms(coloured_noise(n, rng, float(rng.choice([0.0, 0.5, 1.0]))))


def fan(n: int, rng: np.random.Generator) -> np.ndarray:
    rotation_hz = rng.uniform(12.0, 30.0)
    blades = int(rng.integers(3, 8))
    t = np.arange(n) / RATE
    airflow = _filtered(coloured_noise(n, rng, 0.5), rng.uniform(800.0, 3000.0), "lowpass")
    airflow *= 1.0 + rng.uniform(0.1, 0.4) * np.sin(2 * np.pi * rotation_hz * t)
    hum = _harmonics(n, 50.0, (1.0, 0.5, 0.3, 0.15), rng)
    blade_tone = _harmonics(n, rotation_hz * blades, (1.0, 0.3), rng)
    return _unit_rms(_unit_rms(airflow) + rng.uniform(0.2, 0.8) * _unit_rms(hum)
                     + rng.uniform(0.1, 0.5) * _unit_rms(blade_tone))


def hvac(n: int, rng: np.random.Generator) -> np.ndarray:
    rumble = _filtered(coloured_noise(n, rng, 1.0), rng.uniform(80.0, 200.0), "lowpass")
    hiss = _filtered(rng.standard_normal(n), (rng.uniform(300.0, 700.0), rng.uniform(3000.0, 6000.0)), "bandpass")
    hiss *= _slow_drift(n, rng, rng.uniform(1.0, 4.0), 0.3)
    hum = _harmonics(n, 60.0, (0.6, 1.0, 0.5, 0.35, 0.2), rng)  # the 120 Hz magnetostriction line dominates
    return _unit_rms(_unit_rms(rumble) + rng.uniform(0.5, 1.2) * _unit_rms(hiss)
                     + rng.uniform(0.2, 0.7) * _unit_rms(hum))


def _talker(n: int, rng: np.random.Generator, languages: Sequence[str], variants: Sequence[str | None]) -> np.ndarray:
    """One talker of a babble: utterances back to back, with short gaps, until n samples."""
    import soxr

    from runtime.train.espeak import SpeechOptions, synthesize
    from runtime.train.sentences import pseudo_sentence

    language = languages[int(rng.integers(len(languages)))]
    variant = variants[int(rng.integers(len(variants)))]
    pieces, total = [np.zeros(int(rng.integers(0, RATE)), np.float32)], 0
    while total < n:
        options = SpeechOptions(language, int(rng.integers(130, 220)), int(rng.integers(20, 80)),
                                int(rng.integers(30, 90)), variant)
        speech = synthesize(pseudo_sentence(rng, int(rng.integers(4, 10))), options)
        audio = soxr.resample(speech.as_float32(), speech.sample_rate, RATE).astype(np.float32)
        pieces += [audio, np.zeros(int(rng.uniform(0.05, 0.4) * RATE), np.float32)]
        total = sum(len(p) for p in pieces)
    return np.concatenate(pieces)[:n]


def _babble(n: int, rng: np.random.Generator, languages: Sequence[str], variants: Sequence[str | None]) -> np.ndarray:
    talkers = int(rng.integers(4, 8))
    return _unit_rms(sum(rng.uniform(0.5, 1.0) * _unit_rms(_talker(n, rng, languages, variants))
                         for _ in range(talkers)))


def babble(n: int, rng: np.random.Generator) -> np.ndarray:
    from runtime.train.corpus import OTHER_LANGUAGES, TRAIN_VARIANTS

    return _babble(n, rng, OTHER_LANGUAGES, TRAIN_VARIANTS)


BABBLE_UNSEEN_LANGUAGES = ("hu", "tr", "ro", "id", "sw", "da", "hr", "lv")  # never spoken in training


def babble_unseen(n: int, rng: np.random.Generator) -> np.ndarray:
    from runtime.train.corpus import HELD_OUT_VARIANTS

    return _babble(n, rng, BABBLE_UNSEEN_LANGUAGES, HELD_OUT_VARIANTS)


def _click(rng: np.random.Generator, loud: bool) -> np.ndarray:
    length = int(0.04 * RATE)
    t = np.arange(length) / RATE
    burst = _filtered(rng.standard_normal(length), 1500.0, "highpass") * np.exp(-t / 0.002)
    ring = sum(rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * rng.uniform(2000.0, 6000.0) * t) * np.exp(
        -t / rng.uniform(0.004, 0.012)) for _ in range(3))
    thock = np.sin(2 * np.pi * rng.uniform(150.0, 400.0) * t) * np.exp(-t / 0.01)
    return (burst + 0.5 * ring + (1.5 if loud else 0.6) * thock) * (2.0 if loud else 1.0) * rng.uniform(0.6, 1.0)


def keyboard(n: int, rng: np.random.Generator) -> np.ndarray:
    out = np.zeros(n)
    position = int(rng.uniform(0.0, 0.5) * RATE)
    while position < n:
        for _ in range(int(rng.integers(2, 9))):  # a word: keys 80-250 ms apart
            _place(out, _click(rng, loud=False), position)
            position += int(rng.uniform(0.08, 0.25) * RATE)
        _place(out, _click(rng, loud=True), position)  # the space bar
        position += int(rng.uniform(0.15, 1.2) * RATE)  # a pause to think
    out += 1e-3 * rng.standard_normal(n)  # the room under it: a long pause is not digital silence
    return _unit_rms(out)


def music_plucked(n: int, rng: np.random.Generator) -> np.ndarray:
    beat = int(60.0 / rng.uniform(70.0, 140.0) * RATE)
    out = np.zeros(n + 4 * RATE)
    harmonics = [1.0 / k for k in range(1, 12)]
    for bar, chord in enumerate(_chord_progression(rng, n // (4 * beat) + 1)):
        for step in range(4):  # arpeggio, one chord note per beat, a melody note on off-beats
            start = (bar * 4 + step) * beat
            _place(out, 0.6 * _decaying_tone(_midi_hz(chord[step % 3]), 2.0, 0.6, harmonics, rng), start)
            if rng.random() < 0.6:
                melody = chord[int(rng.integers(3))] + 12 + int(rng.choice([0, 2, -1]))
                _place(out, 0.4 * _decaying_tone(_midi_hz(melody), 1.0, 0.3, harmonics, rng), start + beat // 2)
    return _unit_rms(out[:n])


def _drum_hits(n: int, beat: int, rng: np.random.Generator) -> np.ndarray:
    out = np.zeros(n)
    t = np.arange(int(0.3 * RATE)) / RATE
    kick = np.sin(2 * np.pi * (50.0 * t + 60.0 * 0.04 * (1 - np.exp(-t / 0.04)))) * np.exp(-t / 0.12)
    snare_noise = _filtered(rng.standard_normal(len(t)), (1000.0, 7000.0), "bandpass") * np.exp(-t / 0.06)
    snare = snare_noise + 0.5 * np.sin(2 * np.pi * 190.0 * t) * np.exp(-t / 0.05)
    hat_noise = _filtered(rng.standard_normal(int(0.05 * RATE)), 6000.0, "highpass")
    hat = hat_noise * np.exp(-np.arange(len(hat_noise)) / RATE / 0.015)
    for count, start in enumerate(range(0, n, beat)):
        _place(out, kick if count % 2 == 0 else 0.8 * snare, start)
        _place(out, 0.3 * hat, start + beat // 2)
    return out


def music_band(n: int, rng: np.random.Generator) -> np.ndarray:
    beat = int(60.0 / rng.uniform(80.0, 130.0) * RATE)
    bar = 4 * beat
    t = np.arange(bar) / RATE
    vibrato = 1.0 + 0.004 * np.sin(2 * np.pi * 5.5 * t)
    envelope = np.minimum(t / 0.08, 1.0) * np.minimum((bar / RATE - t) / 0.08, 1.0)  # pads fade in and out
    pads, bass, lead = np.zeros(n + bar), np.zeros(n + bar), np.zeros(n + bar)
    for index, chord in enumerate(_chord_progression(rng, n // bar + 1)):
        for note in chord:
            for detune in (0.997, 1.003):  # two slightly detuned oscillators: a chorus
                phase = 2 * np.pi * np.cumsum(_midi_hz(note + 12) * detune * vibrato) / RATE
                _place(pads, envelope * sum(np.sin(k * phase) / k**1.5 for k in range(1, 7)), index * bar)
        for step in range(4):
            _place(bass, _decaying_tone(_midi_hz(chord[0] - 12), beat / RATE, 0.4, (1.0, 0.6, 0.3), rng),
                   index * bar + step * beat)
            if rng.random() < 0.7:
                note = chord[int(rng.integers(3))] + 24
                _place(lead, _decaying_tone(_midi_hz(note), beat / RATE, 0.5, (1.0, 0.5, 0.25, 0.1), rng, 0.3),
                       index * bar + step * beat)
    drums = _drum_hits(n, beat, rng)
    return _unit_rms(_unit_rms(pads[:n]) + 0.8 * _unit_rms(bass[:n]) + 0.6 * _unit_rms(lead[:n])
                     + 0.9 * _unit_rms(drums))


def street(n: int, rng: np.random.Generator) -> np.ndarray:
    out = 0.3 * _unit_rms(_filtered(coloured_noise(n, rng, 1.0), 300.0, "lowpass"))  # the city far off
    t_all = np.arange(n) / RATE
    position = -rng.uniform(0.0, 3.0)
    while position < n / RATE:
        width = rng.uniform(1.0, 3.0)  # seconds a car takes to pass
        swell = np.exp(-0.5 * ((t_all - position - width) / (width / 2)) ** 2) * rng.uniform(0.5, 1.5)
        rumble = _filtered(rng.standard_normal(n), rng.uniform(150.0, 400.0), "lowpass")
        tyres = _filtered(rng.standard_normal(n), (rng.uniform(800.0, 1500.0), rng.uniform(3000.0, 5000.0)),
                          "bandpass")
        engine_hz = rng.uniform(60.0, 120.0) * (1.05 - 0.1 / (1 + np.exp(-(t_all - position - width) / 0.3)))
        engine = np.sin(2 * np.pi * np.cumsum(engine_hz) / RATE)  # the Doppler drop as it goes by
        out += swell * (_unit_rms(rumble) + 0.6 * _unit_rms(tyres) + 0.4 * engine)
        position += rng.uniform(0.8, 4.0)
    for _ in range(rng.poisson(n / RATE / 8.0)):  # a horn now and then
        duration = rng.uniform(0.2, 0.8)
        horn = _harmonics(int(duration * RATE), rng.uniform(350.0, 500.0), (1.0, 0.7, 0.5, 0.3, 0.2), rng)
        horn *= np.minimum(np.arange(len(horn)) / (0.01 * RATE), 1.0)
        _place(out, rng.uniform(0.5, 2.0) * horn, int(rng.integers(n)))
    return _unit_rms(out)


def _breaths(n: int, rng: np.random.Generator, band_hz: tuple[float, float], duration_s: tuple[float, float],
             formants: Sequence[float]) -> np.ndarray:
    out = 1e-3 * rng.standard_normal(n)
    position = int(rng.uniform(0.1, 1.0) * RATE)
    while position < n:
        length = int(rng.uniform(*duration_s) * RATE)
        t = np.linspace(0.0, np.pi, length)
        breath = _filtered(rng.standard_normal(length), band_hz, "bandpass")
        for formant in formants:  # the vocal tract colours the turbulence a little
            breath += 0.5 * _filtered(rng.standard_normal(length), (formant * 0.85, formant * 1.15), "bandpass")
        _place(out, breath * np.sin(t) ** 2 * rng.uniform(0.5, 1.0), position)
        position += length + int(rng.uniform(1.0, 3.0) * RATE)
    return _unit_rms(out)


def breath_nose(n: int, rng: np.random.Generator) -> np.ndarray:
    return _breaths(n, rng, (150.0, 1500.0), (0.3, 0.6), ())


def breath_mouth(n: int, rng: np.random.Generator) -> np.ndarray:
    return _breaths(n, rng, (400.0, 5000.0), (0.4, 0.9), (rng.uniform(500.0, 800.0), rng.uniform(1100.0, 1800.0)))


FAMILIES = {family.name: family for family in (
    NoiseFamily("coloured", False, coloured), NoiseFamily("fan", False, fan), NoiseFamily("babble", False, babble),
    NoiseFamily("keyboard", False, keyboard), NoiseFamily("music-plucked", False, music_plucked),
    NoiseFamily("breath-nose", False, breath_nose),
    NoiseFamily("hvac", True, hvac), NoiseFamily("babble-unseen", True, babble_unseen),
    NoiseFamily("street", True, street), NoiseFamily("music-band", True, music_band),
    NoiseFamily("breath-mouth", True, breath_mouth),
)}
TRAIN_FAMILIES = tuple(name for name, family in FAMILIES.items() if not family.held_out)
HELD_OUT_FAMILIES = tuple(name for name, family in FAMILIES.items() if family.held_out)


def noise(family: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """n samples (unit RMS, float32, 16 kHz) of a family's noise."""
    if family not in FAMILIES:
        raise ValueError(f"unknown noise family {family!r}; one of {sorted(FAMILIES)}")
    return FAMILIES[family].generate(n, rng)
