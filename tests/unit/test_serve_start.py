"""The server's start: what its imports built is frozen out of later collections once serving
begins, with the collector on and its young generation's threshold raised. Checked in a fresh
interpreter by the collector's state, never by timing it."""

from __future__ import annotations

import json
import subprocess
import sys

RUN = """
import gc, json, sys
from transformers_glossary_ls import cli, transport

seen = {}

class Watch:  # notes the collector's state when the server module starts to import
    def find_spec(self, name, path=None, target=None):
        if name == "transformers_glossary_ls.server":
            seen["importing"] = gc.isenabled()
        return None

def serve_stdio(*args, **kwargs):
    seen.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count(), threshold=gc.get_threshold())
    return 0

sys.meta_path.insert(0, Watch())
transport.serve_stdio = serve_stdio
gc.enable()
assert "transformers_glossary_ls.server" not in sys.modules
status = cli._serve(None)
print(json.dumps([status, seen]))
"""


def test_serving_starts_with_the_collector_on_and_the_imports_frozen():
    done = subprocess.run([sys.executable, "-c", RUN], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    status, seen = json.loads(done.stdout.splitlines()[-1])
    assert status == 0
    assert seen["importing"] is True  # collected as usual: no pile of import garbage (RSS)
    assert seen["enabled"] is True
    assert seen["frozen"] > 50_000  # lsprotocol's types and ours: out of every collection
    assert seen["threshold"][0] == 10_000
