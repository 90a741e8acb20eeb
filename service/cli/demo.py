"""`facecast demo [-o demo.mp4]`: a bundled public-domain portrait speaking a bundled sentence, with
no arguments at all — what Facecast does, in one command."""

from __future__ import annotations

import argparse
import io
import tempfile
from pathlib import Path

from runtime.errors import FacecastError
from runtime.motion.mouth_models import DEFAULT_MOUTH_MODEL
from runtime.render.framing import DEFAULT_FRAME_OPTIONS
from service.cli import render

SENTENCE = ("Hello! I am a portrait from a single photograph, talking in real time. "
            "My lips follow the sound, and my head moves with the rhythm of the speech.")


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("demo", help="render the bundled demo (needs the demo extra)",
                                 description="Render NASA's public-domain astronaut portrait (scikit-image) "
                                             "speaking a sentence synthesised by eSpeak NG.")
    parser.add_argument("-o", "--output", type=Path, default=Path("demo.mp4"), help="OUT.mp4 (default demo.mp4)")
    parser.add_argument("--emotion", default="happy:0.4", help="as for render (default happy:0.4)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from PIL import Image
        from skimage import data

        from runtime.train.espeak import synthesize, write_wav
    except ImportError:
        raise FacecastError("the demo needs eSpeak NG and scikit-image: pip install 'facecast[demo]'") from None
    with tempfile.TemporaryDirectory(prefix="facecast-demo-") as scratch:
        portrait, speech = Path(scratch) / "astronaut.png", Path(scratch) / "sentence.wav"
        buffer = io.BytesIO()
        Image.fromarray(data.astronaut()).save(buffer, format="PNG")  # NASA, public domain
        portrait.write_bytes(buffer.getvalue())
        write_wav(speech, synthesize(SENTENCE))
        render_args = argparse.Namespace(image=portrait, audio=speech, output=args.output, fps=25, seed=0,
                                         size=512, framing=DEFAULT_FRAME_OPTIONS.framing.value,
                                         mouth_model=DEFAULT_MOUTH_MODEL,
                                         emotion=args.emotion, gaze=None, head_distance=None, motion=None)
        return render.run(render_args)
