"""Run the classify CLI with the fake encoder and a step that stalls, so a test can kill it there.

    python tests/slow_run.py MARKER STEP AFTER classify-args...

STEP is ``embed`` (the encoder stalls on its call number AFTER + 1) or ``save`` (writing the
model stalls once weights.npz is half-way on disk). MARKER is created when the stall starts.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import classify.embed  # noqa: E402
import training.train  # noqa: E402
from fixtures import FakeEncoder  # noqa: E402

marker, step, after, args = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4:]


def stall():
    marker.touch()
    time.sleep(120)  # the test kills us here
    sys.exit("not killed")


class StallingEncoder(FakeEncoder):
    calls_made = 0

    def encode(self, texts, progress=False):
        StallingEncoder.calls_made += 1
        if step == "embed" and StallingEncoder.calls_made > after:
            stall()
        return super().encode(texts, progress)


classify.embed.Encoder = StallingEncoder
training.train.Encoder = StallingEncoder

if step == "save":
    from classify.scoring import LinearScorer

    real_save = LinearScorer.save

    def save_then_stall(self, filename):
        real_save(self, filename)
        with open(filename, "r+b") as f:  # as if the write were cut short
            f.truncate(f.seek(0, 2) // 2)
        stall()

    LinearScorer.save = save_then_stall

from classify.cli import cli  # noqa: E402

cli(args, prog_name="classify")
