"""Command line: run the server (stdio by default, or TCP), or `explain` the terms in files."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from pathlib import Path

from transformers_glossary_ls import __version__

log = logging.getLogger("transformers_glossary_ls")


def _setup_logging(verbosity: int, log_file: str | None) -> None:
    # Never stdout: under stdio it is the protocol channel.
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8")
        if log_file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    ours = [logging.WARNING, logging.INFO, logging.DEBUG][min(verbosity, 2)]
    root.setLevel(logging.WARNING)
    log.setLevel(ours)
    # pygls logs every message it sends at INFO; only show that at -vv.
    logging.getLogger("pygls").setLevel(logging.DEBUG if verbosity >= 3 else logging.WARNING)


def _explain(paths: list[str]) -> int:
    from transformers_glossary_ls.analysis import language_of
    from transformers_glossary_ls.engine import Glossary

    glossary = Glossary()
    for error in glossary.errors:
        print(f"warning: {error}", file=sys.stderr)
    status = 0
    for name in paths:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            print(f"{name}: cannot read: {exc}", file=sys.stderr)
            status = 1
            continue
        analysis = Glossary.open(path.resolve().as_uri(), text, language_of("", path.name) or "")
        if analysis.language is None:
            print(f"{name}: not a Python or Markdown file; skipped", file=sys.stderr)
            continue
        doc = analysis.doc
        for spot in glossary.explain(analysis):
            shown = (
                doc.line(spot.start_line)[spot.start : spot.end]
                if spot.start_line == spot.end_line
                else spot.entry.term
            )
            where = f"{name}:{spot.start_line + 1}:{spot.start + 1}"
            print(f"{where}: {shown} -> {spot.entry.term}: {spot.entry.summary}")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="transformers-glossary-ls",
        description="Language server for the vocabulary of Hugging Face Transformers.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="serve over TCP instead of stdio")
    # Clients such as vscode-languageclient append --stdio; stdio is the default anyway.
    parser.add_argument("--stdio", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--log-file", metavar="PATH", help="write logs here instead of stderr")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logging (-v, -vv, -vvv)"
    )
    sub = parser.add_subparsers(dest="command")
    explain = sub.add_parser(
        "explain", help="print every term found in the files, with its summary"
    )
    explain.add_argument("files", nargs="+")
    args = parser.parse_args(argv)

    if args.command == "explain":
        _setup_logging(args.verbose, args.log_file)
        return _explain(args.files)

    _setup_logging(args.verbose, args.log_file)
    from transformers_glossary_ls.server import server

    server.command_line_log_level = log.level

    # Requests allocate many short-lived objects; collecting less often trims the latency tail.
    gc.set_threshold(10_000, 20, 20)

    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            parser.error("--tcp takes HOST:PORT, e.g. 127.0.0.1:2087")
        return server.start_tcp(host or "127.0.0.1", int(port))
    return server.start_io()
