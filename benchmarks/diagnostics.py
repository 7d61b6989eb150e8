#!/usr/bin/env python
"""Benchmark of diagnostics (issue 14, section 6), each comparison measured side by side in one run.

1. Edit, then pull: two servers of ours are up at once, one with the generated 2,000-line Python
   file open, one with the 200,000-line one, over stdio with pull diagnostics (the capabilities of
   run.py's VS Code-like client plus `textDocument.diagnostic`). Round by round, alternating which
   server goes first, the client writes one `didChange` (a character typed at the end of a random
   line) and a `textDocument/diagnostic` request in the same write, and times until the answer
   arrives, two ways: without `previousResultId`, so the whole report comes each time (what
   any edit that changes a finding costs, and a client that keeps no resultId), and with the
   resultId of the last answer as `previousResultId`, as vscode-languageclient sends it (its
   `DiagnosticRequestor.pullAsync` passes the document's last `resultId`), so an edit that
   changes no finding is answered `unchanged`. Target: the 200,000-line median within 2x of the
   2,000-line one, judged on the VS Code-like pulls (`previous_result_id_ratio`), what a user of
   VS Code waits for after a keystroke; the full-report ratio (`ratio`) is kept beside it. After
   each round, a pull of the unchanged document without `previousResultId` times delivering
   the report alone: the 200,000-line file has a hundred times the diagnostics of the small one.
2. `check` on real example scripts, startup included, against `pyflakes` on the same `.py`
   files: each a fresh process (`python -m transformers_glossary_ls check FILES` and
   `python -m pyflakes FILES`), alternating which goes first, median of the rounds. Target:
   ours / pyflakes <= 1.

    .venv/bin/python benchmarks/diagnostics.py [--rounds 40] [--check-rounds 7]
        [--examples DIR ...] [--json benchmarks/diagnostics-results.json]

The example files are trl's `trl/scripts` from the newest trl wheel of the test suite's cache
(pip-downloaded when missing), the vendored old tutorials (`tests/fixtures/upstream`), and every
`.py` under each `--examples DIR` (e.g. the `examples/` folders of trl and peft checkouts).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(REPO))

from generate import generate, utf16_len  # noqa: E402
from run import (  # noqa: E402
    close,
    compile_package,
    initialize_params,
    machine_info,
    request,
    spawn,
)

from tests.lspclient import frame  # noqa: E402

SIZES = (2_000, 200_000)
EDIT_TARGET = 2.0  # the largest size's median over the smallest's
CHECK_TARGET = 1.0  # check / pyflakes


def pull_params(root: Path) -> dict:
    """run.py's VS Code-like capabilities, plus pull diagnostics as VS Code 1.91 asks them."""
    params = copy.deepcopy(initialize_params(root))
    caps = params["capabilities"]
    caps["textDocument"]["diagnostic"] = {
        "dynamicRegistration": True,
        "relatedDocumentSupport": False,
    }
    caps["workspace"]["diagnostics"] = {"refreshSupport": True}
    return params


class Session:
    """One server of ours with one generated Python file open, and a client-side copy of it."""

    def __init__(self, size: int, seed: int, workdir: Path, cmd: list[str], timeout: float):
        self.size, self.timeout = size, timeout
        self.lines = generate(size, seed).py.lines
        path = workdir / f"train_{size}.py"
        path.write_text("\n".join(self.lines), encoding="utf-8")
        self.uri = path.as_uri()
        self.client = spawn(cmd, workdir / f"stderr-{size}.log", workdir)
        msg, _, _ = request(self.client, "initialize", pull_params(workdir), timeout)
        if "error" in msg:
            raise RuntimeError(f"initialize failed: {msg['error']}")
        self.client.notify("initialized", {})
        self.version = 1
        self.client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": self.uri,
                    "languageId": "python",
                    "version": 1,
                    "text": "\n".join(self.lines),
                }
            },
        )
        self.items = 0
        self.result_id: str | None = None  # of the last answer, as a VS Code client keeps it
        self.answers = {"full": 0, "unchanged": 0}  # of the pulls sending previousResultId
        self.delivered_ms = 0.0  # the last edit and pull: ms until the answer's last byte

    def _answered(self, result: dict, previous: bool) -> None:
        self.result_id = result.get("resultId")
        if result["kind"] == "full":
            self.items = len(result["items"])
        if previous:
            self.answers[result["kind"]] += 1

    def pull(self) -> float:
        """A pull on its own, without previousResultId: ms until the whole report."""
        msg, t0, t1 = request(
            self.client,
            "textDocument/diagnostic",
            {"textDocument": {"uri": self.uri}},
            self.timeout,
        )
        self._answered(msg["result"], False)
        return (t1 - t0) * 1e3

    def edit_then_pull(self, rng: random.Random, previous: bool = False) -> float:
        """One character typed at the end of a random line, and a pull in the same write;
        with `previous`, the pull sends the last answer's resultId as VS Code does."""
        line = rng.randrange(len(self.lines))
        end = utf16_len(self.lines[line])
        self.lines[line] += "x"
        self.version += 1
        change = frame(
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": {"uri": self.uri, "version": self.version},
                    "contentChanges": [
                        {
                            "range": {
                                "start": {"line": line, "character": end},
                                "end": {"line": line, "character": end},
                            },
                            "text": "x",
                        }
                    ],
                },
            },
            compact=True,
        )
        params: dict = {"textDocument": {"uri": self.uri}}
        if previous and self.result_id is not None:
            params["previousResultId"] = self.result_id
        pull_id, pull = self.client.request_frame("textDocument/diagnostic", params)
        msg, t0, t1 = self.client.timed(change + pull, pull_id, self.timeout)
        self._answered(msg["result"], previous)
        # Until the answer's last byte, before the client parses it (~12 ms of json.loads for
        # the 200,000-line file's 1.3 MB): when the server has it ready and sent.
        self.delivered_ms = (self.client.received(pull_id) - t0) * 1e3
        return (t1 - t0) * 1e3


def edit_phase(args: argparse.Namespace, cmd: list[str], workdir: Path) -> dict:
    rng = random.Random(args.seed)
    sessions = {}
    try:
        for size in SIZES:
            sessions[size] = Session(size, args.seed, workdir, cmd, args.timeout)
        first = {size: s.pull() for size, s in sessions.items()}  # the whole file, once
        time.sleep(args.settle)  # background indexing done, as for a user who edits later
        for s in sessions.values():
            s.pull()
        samples: dict[int, list[float]] = {size: [] for size in SIZES}
        again: dict[int, list[float]] = {size: [] for size in SIZES}
        vscode: dict[int, list[float]] = {size: [] for size in SIZES}
        delivered: dict[int, list[float]] = {size: [] for size in SIZES}
        for r in range(args.rounds):
            order = list(SIZES) if r % 2 == 0 else list(reversed(SIZES))
            for size in order:
                samples[size].append(sessions[size].edit_then_pull(rng))
                delivered[size].append(sessions[size].delivered_ms)
            for size in order:  # the same report again: what delivering it costs alone
                again[size].append(sessions[size].pull())
            for size in order:  # as VS Code pulls: with the last answer's resultId
                vscode[size].append(sessions[size].edit_then_pull(rng, previous=True))
        out: dict = {}
        for size in SIZES:
            out[str(size)] = {
                "first_pull_ms": round(first[size], 1),
                **_spread(samples[size]),
                "unchanged_pull_median_ms": round(statistics.median(again[size]), 1),
                "diagnostics": sessions[size].items,
                "previous_result_id": {**_spread(vscode[size]), **sessions[size].answers},
                "whole_report_last_byte": _spread(delivered[size]),
            }
        small, large = (out[str(size)] for size in (SIZES[0], SIZES[-1]))
        out["ratio"] = round(large["median_ms"] / small["median_ms"], 2)
        out["unchanged_pull_ratio"] = round(
            large["unchanged_pull_median_ms"] / small["unchanged_pull_median_ms"], 2
        )
        out["previous_result_id_ratio"] = round(
            large["previous_result_id"]["median_ms"] / small["previous_result_id"]["median_ms"], 2
        )
        out["whole_report_last_byte_ratio"] = round(
            large["whole_report_last_byte"]["median_ms"]
            / small["whole_report_last_byte"]["median_ms"],
            2,
        )
        out["target"] = EDIT_TARGET
        out["judged_on"] = "previous_result_id_ratio"
        return out
    finally:
        for s in sessions.values():
            close(s.client)


def _spread(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {
        "median_ms": round(statistics.median(ms), 1),
        "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 1),
        "max_ms": round(ms[-1], 1),
    }


def example_files(args: argparse.Namespace, workdir: Path) -> tuple[list[Path], dict]:
    """The example scripts, copied under one folder: (paths, where they came from)."""
    from tests.wheels import build, wheel

    dest = workdir / "examples"
    dest.mkdir()
    files, sources = [], {}
    newest = build.find_wheels(build.cache_dir(), "trl")
    minor = max(newest, key=lambda v: tuple(int(x) for x in v.split(".")))
    trl = wheel("trl", minor)
    with zipfile.ZipFile(trl) as z:
        names = [n for n in z.namelist() if n.startswith("trl/scripts/") and n.endswith(".py")]
        for n in names:
            target = dest / "trl-scripts" / Path(n).name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(n))
            files.append(target)
    sources[trl.name + ":trl/scripts"] = len(names)
    fixtures = sorted((REPO / "tests" / "fixtures" / "upstream").rglob("*.py"))
    for f in fixtures:
        target = dest / "fixtures" / f.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)
        files.append(target)
    sources["tests/fixtures/upstream"] = len(fixtures)
    for i, folder in enumerate(args.examples):
        found = sorted(Path(folder).rglob("*.py"))
        for f in found:
            target = dest / f"examples-{i}" / f.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, target)
            files.append(target)
        sources[Path(folder).name if not args.label else args.label[i]] = len(found)
    return files, sources


def check_phase(args: argparse.Namespace, python: str, workdir: Path) -> dict:
    # Without pyflakes, `python -m pyflakes` fails at once and would time as a fast yardstick.
    probe = subprocess.run([python, "-m", "pyflakes", "--version"], capture_output=True)
    if probe.returncode != 0:
        raise SystemExit("pyflakes is not installed for --python: pip install -e '.[bench]'")
    files, sources = example_files(args, workdir)
    names = [str(f.relative_to(workdir)) for f in files]
    commands = {
        "check": [python, "-m", "transformers_glossary_ls", "check", *names],
        "pyflakes": [python, "-m", "pyflakes", *names],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    said: dict[str, int] = {}
    for name, cmd in commands.items():  # once untimed: file caches and bytecode warm
        done = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=600)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"{name} failed ({done.returncode}): {done.stderr[-1500:]}")
        said[name] = len([line for line in done.stdout.splitlines() if line.strip()])
    for r in range(args.check_rounds):
        order = list(commands) if r % 2 == 0 else list(reversed(commands))
        for name in order:
            t0 = time.perf_counter()
            subprocess.run(commands[name], cwd=workdir, capture_output=True, timeout=600)
            samples[name].append((time.perf_counter() - t0) * 1e3)
    lines = sum(len(f.read_text(encoding="utf-8", errors="replace").splitlines()) for f in files)
    out = {
        "files": len(files),
        "lines": lines,
        "sources": sources,
        "findings": {"check": said["check"], "pyflakes": said["pyflakes"]},
    }
    for name, ms in samples.items():
        out[name] = {"median_ms": round(statistics.median(ms), 1), "min_ms": round(min(ms), 1)}
    out["ratio"] = round(out["check"]["median_ms"] / out["pyflakes"]["median_ms"], 2)
    out["target"] = CHECK_TARGET
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=40, help="edit-then-pull rounds per size")
    ap.add_argument("--check-rounds", type=int, default=7, help="check/pyflakes runs each")
    ap.add_argument("--settle", type=float, default=20.0, help="idle seconds after opening")
    ap.add_argument("--examples", action="append", default=[], help="a folder of .py examples")
    ap.add_argument("--label", action="append", default=[], help="a name for each --examples")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--json", help="write the summary here ('-' for stdout)")
    ap.add_argument("--skip-edit", action="store_true")
    ap.add_argument("--skip-check", action="store_true")
    args = ap.parse_args(argv)
    if args.label and len(args.label) != len(args.examples):
        ap.error("one --label per --examples")
    compile_package()
    summary: dict = {"machine": machine_info(), "seed": args.seed}
    cmd = [args.python, "-m", "transformers_glossary_ls"]
    with tempfile.TemporaryDirectory(prefix="tgls-diag-bench-") as tmp:
        workdir = Path(tmp)
        if not args.skip_edit:
            summary["edit_then_pull"] = edit_phase(args, cmd, workdir)
            print("edit then pull:", json.dumps(summary["edit_then_pull"]), file=sys.stderr)
        if not args.skip_check:
            summary["check_vs_pyflakes"] = check_phase(args, args.python, workdir)
            print("check vs pyflakes:", json.dumps(summary["check_vs_pyflakes"]), file=sys.stderr)
    summary["machine"]["loadavg_after"] = machine_info()["loadavg_before"]
    text = json.dumps(summary, indent=2, sort_keys=True) + "\n"
    if args.json == "-":
        sys.stdout.write(text)
    elif args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
