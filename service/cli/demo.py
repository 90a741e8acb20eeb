"""`facecast demo [-o demo.mp4]`: a bundled public-domain portrait speaking a bundled sentence, with
no arguments at all — what Facecast does, in one command (runtime.offline.render_video)."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from runtime.audio.files import DecodedAudio
from runtime.errors import FacecastError
from runtime.offline import ClipOptions, render_video
from runtime.progress_bar import progress_bar
from runtime.render.video import check_video_path
from service.cli.clip_flags import add_control_flags, controls_from_flags
from service.cli.render import portrait_avatar, print_video

SENTENCE = ("Hello! I am a portrait from a single photograph, talking in real time. "
            "My lips follow the sound, and my head moves with the rhythm of the speech.")
# eSpeak NG is GPL-3.0, so it is an extra, never in the server install; the same words as the README.
INSTALL_HINT = "pip install -e '.[demo]' (in the repository)"
DEMO_EMOTION = "happy:0.4"  # a friendly face unless --emotion says otherwise


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Render NASA's public-domain astronaut portrait (scikit-image) speaking a sentence "
                          f"synthesised by eSpeak NG. Needs: {INSTALL_HINT}.")
    parser.add_argument("-o", "--output", type=Path, default=Path("demo.mp4"), help="OUT.mp4 (default demo.mp4)")
    add_control_flags(parser)
    parser.set_defaults(run=run, emotion=DEMO_EMOTION)


def run(args: argparse.Namespace) -> int:
    check_video_path(args.output)  # before the portrait's analysis and the speech's synthesis, not after them
    options = ClipOptions(controls=controls_from_flags(args))
    portrait, speech = _portrait_png(), _speech()
    with progress_bar("rendering") as progress:
        video = render_video(args.output, portrait_avatar(portrait, "astronaut"), speech, options, progress=progress)
    print_video(video)
    return 0


def _portrait_png() -> bytes:
    try:
        from PIL import Image
        from skimage import data
    except ImportError:
        raise FacecastError(f"the demo needs scikit-image: {INSTALL_HINT}") from None
    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, format="PNG")  # NASA, public domain
    return buffer.getvalue()


def _speech() -> DecodedAudio:
    try:
        from runtime.train.espeak import synthesize
    except ImportError:
        raise FacecastError(f"the demo needs eSpeak NG: {INSTALL_HINT}") from None
    spoken = synthesize(SENTENCE)
    return DecodedAudio(spoken.as_float32(), spoken.sample_rate)
