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


def _project_root(start: Path) -> Path:
    """The nearest folder up from `start` holding a repository vocabulary, not above the
    repository's root (a `.git`); `start` when there is none."""
    from transformers_glossary_ls.vocabulary.paths import REPOSITORY_FILE, REPOSITORY_FOLDER

    for folder in (start, *start.parents):
        if (folder / REPOSITORY_FILE).exists() or (folder / REPOSITORY_FOLDER).is_dir():
            return folder
        if (folder / ".git").exists():
            break
    return start


def _glossary(vocabularies: list[str] | None, say_errors: bool = True):
    """The engine over the built-in vocabulary, the `--vocabulary` files, then the project's
    `.transformers-glossary.yaml` (found as the server finds it, from the current folder); its
    problems said on stderr."""
    from transformers_glossary_ls.engine import Glossary
    from transformers_glossary_ls.vocabulary.paths import repository_paths

    found, labels, problems = repository_paths([str(_project_root(Path.cwd().resolve()))])
    given = [str(Path(v).expanduser().resolve()) for v in vocabularies or ()]
    glossary = Glossary(tuple(dict.fromkeys([*given, *found])), labels=labels)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    for error in glossary.errors if say_errors else ():
        print(f"warning: {error}", file=sys.stderr)
    return glossary


def _explain(paths: list[str], vocabularies: list[str] | None = None) -> int:
    from transformers_glossary_ls.analysis import language_of
    from transformers_glossary_ls.engine import Glossary

    glossary = _glossary(vocabularies)
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


SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "env"})
CHECKED_SUFFIXES = (".py", ".md")


def _files(paths: list[str]) -> list[Path]:
    """The Python and Markdown files named or under the folders named (hidden folders and
    environments skipped), in a stable order."""
    out: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                parts = found.relative_to(path).parts
                if any(p.startswith(".") or p in SKIPPED_DIRS for p in parts[:-1]):
                    continue
                if found.suffix in CHECKED_SUFFIXES and found.is_file():
                    out.append(found)
        else:
            out.append(path)
    return out


def _check(args: argparse.Namespace) -> int:
    import json

    from transformers_glossary_ls.analysis import language_of
    from transformers_glossary_ls.diagnostics import (
        ERROR,
        VOCABULARY_ERROR,
        Finding,
        apply_edits,
        fix_all,
        select,
    )
    from transformers_glossary_ls.engine import Glossary
    from transformers_glossary_ls.environment import choose_versions

    glossary = _glossary(args.vocabulary, say_errors=False)
    # A broken user or team vocabulary is a finding of its own file (TG100), so CI sees it.
    status, fixed, report = 0, 0, []
    for error in glossary.errors:
        if error.file in glossary.extra_files:
            line = max(error.line - 1, 0)
            report.append((error.file, Finding(VOCABULARY_ERROR, ERROR, error.message, line, 0, 0)))
        else:
            print(f"warning: {error}", file=sys.stderr)
    if args.target_version:
        notes = glossary.use_versions({"transformers": args.target_version})
        said = f"transformers {args.target_version} (--target-version)"
    else:
        choice = choose_versions([Path.cwd()])
        notes, said = glossary.use_versions(choice.versions), choice.message
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    log.info("checking for %s", said)
    only = [c.strip() for c in (args.select or "").split(",") if c.strip()]
    skip = [c.strip() for c in (args.ignore or "").split(",") if c.strip()]
    for path in _files(args.paths or ["."]):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            print(f"{path}: cannot read: {exc}", file=sys.stderr)
            status = 2
            continue
        text = raw.decode("utf-8", errors="surrogateescape")
        language = language_of("", path.name)
        if language is None:
            continue
        analysis = Glossary.open(path.resolve().as_uri(), text, language)
        found = select(glossary.diagnostics(analysis), only, skip)
        if args.fix and found:
            edits = fix_all(found)
            if edits:
                text = apply_edits(text, edits)
                path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
                fixed += len(edits)
                analysis = Glossary.open(path.resolve().as_uri(), text, language)
                found = select(glossary.diagnostics(analysis), only, skip)
        for f in found:
            report.append((str(path), f))
    for name, f in report:
        line, col = f.line + 1, f.start + 1
        if args.format == "github":
            kind = {"error": "error", "warning": "warning"}.get(f.severity, "notice")
            message = f.message.replace("%", "%25").replace("\n", "%0A")
            print(f"::{kind} file={name},line={line},col={col},title={f.code}::{message}")
        elif args.format == "text":
            print(f"{name}:{line}:{col}: {f.code} {f.message}")
    if args.format == "json":
        rows = [
            {
                "path": name,
                "line": f.line + 1,
                "column": f.start + 1,
                "end_column": f.end + 1,
                "code": f.code,
                "severity": f.severity,
                "message": f.message,
                "fixes": [{"title": x.title, "text": x.edit.text} for x in f.fixes],
            }
            for name, f in report
        ]
        print(json.dumps(rows, indent=1))
    if fixed:
        print(f"fixed {fixed} finding(s)", file=sys.stderr)
    return max(status, 1 if report else 0)


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
    vocabulary_help = (
        "also read this vocabulary file (repeatable); the project's "
        ".transformers-glossary.yaml is read without it"
    )
    explain.add_argument("--vocabulary", metavar="FILE", action="append", help=vocabulary_help)
    check = sub.add_parser(
        "check",
        help="report removed, deprecated and unknown keywords and bad values of known calls",
    )
    check.add_argument("paths", nargs="*", help="files and folders (.py, .md); default: .")
    check.add_argument("--fix", action="store_true", help="apply the safe fixes in place")
    check.add_argument("--vocabulary", metavar="FILE", action="append", help=vocabulary_help)
    check.add_argument("--format", choices=("text", "json", "github"), default="text")
    check.add_argument("--select", metavar="CODES", help="only these codes (TG001,TG004)")
    check.add_argument("--ignore", metavar="CODES", help="leave out these codes")
    check.add_argument(
        "--target-version",
        metavar="X.Y",
        help="check against this transformers release instead of the installed one",
    )
    args = parser.parse_args(argv)

    if args.command == "check":
        _setup_logging(args.verbose, args.log_file)
        return _check(args)

    if args.command == "explain":
        _setup_logging(args.verbose, args.log_file)
        return _explain(args.files, args.vocabulary)

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
