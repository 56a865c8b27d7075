"""The atheris fuzz target runs without atheris: 200 random inputs through TestOneInput (long runs: see the target)."""

from __future__ import annotations

import random
import sys

from tests import fuzzkit as fk
from tests.fuzz import atheris_parser


def test_target_runs_200_random_inputs_without_atheris() -> None:
    assert "atheris" not in sys.modules
    rnd = random.Random(20240607)
    seeds = [data for _, data in fk.corpus()]
    for i in range(200):
        if i % 2:
            buf = bytearray(rnd.choice(seeds))
            for _ in range(rnd.randint(1, 6)):
                at = rnd.randrange(len(buf))
                if rnd.random() < 0.5:
                    buf[at] = rnd.randrange(256)
                else:
                    del buf[at : at + rnd.randint(1, 40)]
            data = bytes([rnd.randrange(256)]) + bytes(buf)
        else:
            data = rnd.randbytes(rnd.randint(0, 400))
        atheris_parser.TestOneInput(data)
    assert "atheris" not in sys.modules
