"""The notebook case (issue 15): the benchmark's Python file cut into a 500-cell notebook (code
cells, with Markdown cells from the Markdown file between them), opened by LSP notebook sync
next to the same code as one `.py` file, in one server. Hover and completion go to the same
probes in both, alternating request by request; the figure is notebook p99 / file p99 (target:
at most 2). Answers are compared too: a probe must answer the same in its cell as in the file.

    python benchmarks/notebook.py                 # 500 cells, 300 probes of each kind
    python benchmarks/notebook.py --json -        # the summary as JSON on stdout
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from generate import generate, sample_probes  # noqa: E402
from run import (  # noqa: E402
    completion_items,
    hover_text,
    initialize_params,
    pct,
    request,
    spawn,
)


def cut_cells(lines: list[str], cells: int) -> list[tuple[int, int]]:
    """(start, end) line spans of about `cells` code cells: cut only before an unindented line
    that follows a blank one (a new statement at the top level), merged evenly to `cells`."""
    starts = [0] + [
        k
        for k in range(1, len(lines))
        if lines[k]
        and not lines[k][0].isspace()
        and not lines[k - 1].strip()
        and not lines[k].startswith(("#", ")", "]", "}"))
    ]
    if len(starts) < cells:
        raise SystemExit(f"only {len(starts)} places to cut; use a larger --lines")
    chosen = [starts[int(i * len(starts) / cells)] for i in range(cells)]
    return [(a, b) for a, b in zip(chosen, [*chosen[1:], len(lines)], strict=True)]


def build(lines_py: int, cells: int, markdown_every: int, seed: int):
    corpus = generate(lines_py, seed)
    py, md = corpus.py, corpus.md
    spans = cut_cells(py.lines, cells)
    md_chunks = [md.lines[k : k + 4] for k in range(0, len(md.lines), 4)]
    order: list[tuple[str, str, int]] = []  # (kind, text, first line in the .py or -1)
    code_at: dict[int, tuple[int, int]] = {}  # .py line -> (cell index, line in cell)
    gap = markdown_every - 1  # code cells per Markdown cell
    for n, (a, b) in enumerate(spans):
        if markdown_every > 1 and n % gap == gap - 1:
            order.append(("markdown", "\n".join(md_chunks[n % len(md_chunks)]), -1))
        for line in range(a, b):
            code_at[line] = (len(order), line - a)
        order.append(("python", "\n".join(py.lines[a:b]), a))
    return corpus, order, code_at


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=500, help="cells in all (code and Markdown)")
    ap.add_argument(
        "--markdown-every", type=int, default=5, help="one Markdown cell in every N cells (N > 1)"
    )
    ap.add_argument("--lines", type=int, default=6000, help="lines of the generated .py file")
    ap.add_argument("--requests", type=int, default=300, help="probes of each kind")
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--settle", type=float, default=3.0, help="seconds idle after opening")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--json", default=None, help="write the summary here (- for stdout)")
    args = ap.parse_args(argv)

    code_cells = (
        args.cells - args.cells // args.markdown_every if args.markdown_every else args.cells
    )
    corpus, order, code_at = build(args.lines, code_cells, args.markdown_every, args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="tgls-nb-bench-"))
    py_uri = (workdir / "train.py").as_uri()
    nb_uri = (workdir / "train.ipynb").as_uri()
    cell_uris = [f"vscode-notebook-cell:{workdir}/train.ipynb#C{k}" for k in range(len(order))]
    (workdir / "train.py").write_text(corpus.py.text)

    client = spawn([sys.executable, "-m", "transformers_glossary_ls"], workdir / "err.log", workdir)
    params = initialize_params(workdir)
    params["capabilities"].setdefault("notebookDocument", {"synchronization": {}})
    request(client, "initialize", params, args.timeout)
    client.notify("initialized", {})
    client.notify(
        "textDocument/didOpen",
        {
            "textDocument": {
                "uri": py_uri,
                "languageId": "python",
                "version": 1,
                "text": corpus.py.text,
            }
        },
    )
    client.notify(
        "notebookDocument/didOpen",
        {
            "notebookDocument": {
                "uri": nb_uri,
                "notebookType": "jupyter-notebook",
                "version": 1,
                "cells": [
                    {"kind": 1 if kind == "markdown" else 2, "document": uri}
                    for (kind, _, _), uri in zip(order, cell_uris, strict=True)
                ],
            },
            "cellTextDocuments": [
                {"uri": uri, "languageId": kind, "version": 1, "text": text}
                for (kind, text, _), uri in zip(order, cell_uris, strict=True)
            ],
        },
    )
    time.sleep(args.settle)

    rng = random.Random(args.seed)
    results: dict = {
        "cells": len(order),
        "code_cells": sum(1 for kind, *_ in order if kind == "python"),
        "py_lines": len(corpus.py.lines),
    }
    for label, kind in (("hover", "term"), ("completion", "completion")):
        probes = [p for p in corpus.py.probes if p.kind == kind and p.line in code_at]
        probes = sample_probes(probes, args.requests, rng)
        lat: dict[str, list[float]] = {"py": [], "notebook": []}
        same = answered = 0
        for i, p in enumerate(probes[: args.warmup] + probes):
            cell, line = code_at[p.line]
            char = p.character + (p.length // 2 if kind == "term" else 0)
            method = "textDocument/hover" if kind == "term" else "textDocument/completion"
            answers = {}
            for where in ("py", "notebook") if i % 2 == 0 else ("notebook", "py"):
                uri, at = (py_uri, p.line) if where == "py" else (cell_uris[cell], line)
                msg, ts, tr = request(
                    client,
                    method,
                    {"textDocument": {"uri": uri}, "position": {"line": at, "character": char}},
                    args.timeout,
                )
                if i >= args.warmup:
                    lat[where].append((tr - ts) * 1e3)
                result = msg.get("result")
                answers[where] = (
                    hover_text(result)
                    if kind == "term"
                    else sorted(it.get("label", "") for it in completion_items(result))
                )
            if i >= args.warmup:
                answered += bool(answers["py"])
                same += answers["py"] == answers["notebook"]
        row = {}
        for where, values in lat.items():
            values.sort()
            row[where] = {
                "p50_ms": round(pct(values, 0.5), 3),
                "p99_ms": round(pct(values, 0.99), 3),
            }
        row["p99_ratio"] = round(row["notebook"]["p99_ms"] / row["py"]["p99_ms"], 2)
        row["probes"], row["answered_in_file"], row["same_answer"] = len(probes), answered, same
        results[label] = row
    request(client, "shutdown", None, args.timeout)
    client.notify("exit")
    client.stop()

    results["target_met"] = all(results[k]["p99_ratio"] <= 2.0 for k in ("hover", "completion"))
    text = json.dumps(results, indent=1)
    if args.json == "-":
        print(text)
    else:
        for label in ("hover", "completion"):
            r = results[label]
            print(
                f"{label:10s} file p50 {r['py']['p50_ms']:.2f} p99 {r['py']['p99_ms']:.2f} ms | "
                f"notebook p50 {r['notebook']['p50_ms']:.2f} p99 {r['notebook']['p99_ms']:.2f} ms"
                f" | p99 ratio {r['p99_ratio']:.2f} | same answer {r['same_answer']}/{r['probes']}",
                file=sys.stderr,
            )
        if args.json:
            Path(args.json).write_text(text + "\n")
    return 0 if results["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
