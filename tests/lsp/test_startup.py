"""`wf-lsp serve` starts without what only a later request needs (kept out of the initialize response's path)."""

from __future__ import annotations

import subprocess
import sys

#: Modules the server must not import before a request needs them, and why they were costly.
LATER = {
    "pathspec": "gitignore patterns: read on the first settings with exclude patterns, or the first walk",
    "multiprocessing": "the validation workers: started on the first validation",
    "concurrent.futures.process": "the validation workers' pool: started on the first validation",
    "importlib.resources": "the shipped registry (read on the first validation) and the n8n extractor script",
    "zipfile": "imported by importlib.resources",
}


def test_the_server_imports_nothing_only_a_later_request_needs() -> None:
    code = (
        "import sys, json\n"
        "from wf_lsp import cli\n"
        "cli._import_server()\n"
        "from wf_lsp.lsp.server import build_server\n"
        "build_server()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = set(__import__("json").loads(done.stdout))
    early = {name: why for name, why in LATER.items() if name in loaded}
    assert not early, f"imported at start-up: {early}"


def test_building_the_server_makes_no_lsprotocol_converter_of_its_own() -> None:
    """Before: `wf_lsp.lsp.graph` built a cattrs converter at import (about 15 ms); it is now built for the first
    graph asked for."""
    code = (
        "from lsprotocol import converters\n"
        "made = []\n"
        "real = converters.get_converter\n"
        "converters.get_converter = lambda: made.append(1) or real()\n"
        "from wf_lsp.lsp.server import build_server\n"
        "build_server()\n"
        "print(len(made))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # the one pygls builds for its protocol (its default_converter), which the bare pygls server pays too
    assert int(done.stdout) == 1, done.stdout
