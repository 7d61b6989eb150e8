"""Benchmark of reading the user's installed packages (issue 13), paired and interleaved in one run.

1. Cold indexing against `ast.parse` alone on the same files (the sources `installed_docs` reads,
   taken from the newest wheels): median of paired runs, ratio ours / ast.parse.
2. The first hover after start with a workspace `.venv` whose docs are cached (warm start)
   against the same workspace without a `.venv`: median of paired sessions, ratio.
3. Hover latency while the installed docs are being read (a cold cache) against the same
   server once they are in: p99 during / p99 idle. The session's first hover is not timed
   (it is a first hover, measured in 2).

    .venv/bin/python benchmarks/installed.py [--rounds 15] [--json out.json]

Wheels come from the test suite's cache (pip-downloaded when missing).
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "server"))

from transformers_glossary_ls.catalogue import default_catalogue  # noqa: E402
from transformers_glossary_ls.installed_docs import (  # noqa: E402
    _FIELD_HELP,
    read_installed_docs,
)

from tests.lspclient import LspClient  # noqa: E402
from tests.wheels import install_files, make_venv, wheel  # noqa: E402

SOURCE = (
    "args = TrainingArguments(output_dir='o', learning_rate=1e-4)\n"
    "model = WhisperForConditionalGeneration.from_pretrained('x')\n"
    "out = model(decoder_position_ids=p)\n"
)
# The modeling files of ten named classes are read too (their forward signatures and docs).
CLASSES = (
    "LlamaForCausalLM",
    "BertModel",
    "WhisperForConditionalGeneration",
    "T5ForConditionalGeneration",
    "GPT2LMHeadModel",
    "Qwen2ForCausalLM",
    "MistralForCausalLM",
    "RobertaForSequenceClassification",
    "ViTForImageClassification",
    "BartForConditionalGeneration",
)
TARGETS = {"index_vs_parse": 1.5, "warm_first_hover": 1.10, "p99_during_vs_idle": 2.0}


def classes() -> dict[str, str]:
    catalogue = default_catalogue()
    return {name: catalogue.model_dir(name) for name in CLASSES}


def build_site(root: Path) -> tuple[Path, dict[str, str]]:
    """A workspace `.venv` with the metadata and the read sources of the newest wheels."""
    catalogue = default_catalogue()
    modeling = [f"transformers/models/{d}/modeling_{d}.py" for d in classes().values()]
    members = {
        "transformers": [
            "transformers/utils/auto_docstring.py",
            "transformers/modeling_layers.py",
            *modeling,
        ],
        "trl": [],
        "peft": [],
    }
    for package, member, _, _ in _FIELD_HELP:
        members[package].append(member)
    wheels = {p: wheel(p, catalogue.newest(p)) for p in members}
    site = make_venv(root / ".venv", list(wheels.values()))
    for package, files in members.items():
        install_files(wheels[package], site, files)
    versions = {p: w.name.split("-")[1] for p, w in wheels.items()}
    return site, versions


def index_vs_parse(site: Path, versions: dict[str, str], rounds: int) -> dict:
    files = [p for p in site.rglob("*.py")]
    ours, parse = [], []
    for r in range(rounds):
        for which in ("ours", "parse") if r % 2 == 0 else ("parse", "ours"):
            t = time.perf_counter()
            if which == "ours":
                read_installed_docs([site], versions, classes())
            else:
                for f in files:
                    ast.parse(f.read_bytes())
            (ours if which == "ours" else parse).append(time.perf_counter() - t)
    o, p = statistics.median(ours) * 1e3, statistics.median(parse) * 1e3
    return {"files": len(files), "ours_ms": o, "ast_parse_ms": p, "ratio": o / p}


def _session(project: Path, cache: Path) -> tuple[LspClient, str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(project), "TRANSFORMERS_GLOSSARY_CACHE": str(cache)}
    server = LspClient.spawn(env=env)
    uri = project.as_uri()
    server.initialize({}, rootUri=uri, workspaceFolders=[{"uri": uri, "name": "p"}])
    doc = (project / "train.py").as_uri()
    server.open(doc, SOURCE)
    return server, doc


def first_hover(with_venv: Path, without: Path, cache: Path, rounds: int) -> dict:
    warm, bare = [], []
    _close(*_session(with_venv, cache))  # fills the cache
    for r in range(rounds):
        for project in (with_venv, without) if r % 2 == 0 else (without, with_venv):
            t = time.perf_counter()
            server, doc = _session(project, cache)
            server.hover(doc, 0, 45)
            (warm if project == with_venv else bare).append(time.perf_counter() - t)
            _close(server, doc)
    w, b = statistics.median(warm) * 1e3, statistics.median(bare) * 1e3
    return {"warm_ms": w, "no_venv_ms": b, "ratio": w / b}


def during_indexing(project: Path, cache: Path, idle_requests: int) -> dict:
    server, doc = _session(project, cache)
    # The session's first hover is a first hover (judged by `first_hover`), not "during".
    server.hover(doc, 0, 45)
    during, idle = [], []
    deadline = time.monotonic() + 60
    read = False
    while True:
        t = time.perf_counter()
        text = server.hover(doc, 0, 45)["result"]["contents"]["value"]
        during.append(time.perf_counter() - t)
        # Both reads are in: the shared docs, and the named class's own (Whisper documents
        # decoder_position_ids itself), asked every tenth time and not timed.
        if len(during) % 10 == 0:
            read = "From your" in server.hover(doc, 2, 15)["result"]["contents"]["value"]
        if ("From your" in text and read) or time.monotonic() > deadline:
            break
    for _ in range(idle_requests):
        t = time.perf_counter()
        server.hover(doc, 0, 45)
        idle.append(time.perf_counter() - t)
    _close(server, doc)
    p99 = lambda xs: sorted(xs)[min(len(xs) - 1, int(len(xs) * 0.99))] * 1e3  # noqa: E731
    return {
        "hovers_during": len(during),
        "p99_during_ms": p99(during),
        "p99_idle_ms": p99(idle),
        "ratio": p99(during) / p99(idle),
    }


def _close(server: LspClient, doc: str) -> None:
    server.shutdown()
    server.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project, bare = tmp / "project", tmp / "bare"
        bare.mkdir()
        site, versions = build_site(project)
        results = {
            "index_vs_parse": index_vs_parse(site, versions, args.rounds),
            "warm_first_hover": first_hover(project, bare, tmp / "cache", args.rounds),
            "p99_during_vs_idle": during_indexing(project, tmp / "cold-cache", 300),
        }
    for name, result in results.items():
        target = TARGETS[name]
        mark = "" if result["ratio"] <= target else " !"
        shown = ", ".join(
            f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in result.items()
        )
        print(f"{name:20s} {shown}  (target <= {target}x){mark}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
