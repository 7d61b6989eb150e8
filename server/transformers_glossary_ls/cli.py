"""Command line: run the server (stdio by default, or TCP), or `explain` the terms in files."""

from __future__ import annotations

import argparse
import gc
import logging
import os
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


STDIN = "-"
TTY_HINT = (
    "transformers-glossary-ls is a language server for editors: it speaks LSP on stdin and"
    " stdout (see the README's Editor setup). To try it by hand: transformers-glossary-ls"
    " explain FILE"
)


def _explain(args: argparse.Namespace) -> int:
    """Print the terms of files and folders (`-`: stdin) with their summaries, grouped per file
    unless `--all`, with the whole hover text under `--full`."""
    import json

    from transformers_glossary_ls.analysis import language_of
    from transformers_glossary_ls.engine import Glossary
    from transformers_glossary_ls.environment import choose_versions

    glossary = _glossary(args.vocabulary)
    if args.full:  # the hover text says what changed in the user's release
        choice = choose_versions([Path.cwd()])
        for note in glossary.use_versions(choice.versions):
            log.info("%s", note)
        log.info("explaining for %s", choice.message)
    status = 0
    rows: list[dict] = []
    for path in _files(args.files, keep=STDIN):
        name = str(path)
        if name == STDIN:
            name, text = "<stdin>", sys.stdin.read()
            language = args.language or "python"
            uri = f"untitled:stdin.{'md' if language == 'markdown' else 'py'}"
        else:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                print(f"{name}: cannot read: {exc}", file=sys.stderr)
                status = 1
                continue
            language = args.language or language_of("", path.name)
            uri = path.resolve().as_uri()
        if language is None:
            print(f"{name}: not a Python or Markdown file; skipped", file=sys.stderr)
            continue
        analysis = Glossary.open(uri, text, language)
        doc = analysis.doc
        found: dict[str, dict] = {}  # entry id -> its row (grouped); else every spot its row
        for spot in glossary.explain(analysis):
            key = spot.entry.id
            if not args.all and key in found:
                found[key]["count"] += 1
                continue
            shown = (
                doc.line(spot.start_line)[spot.start : spot.end]
                if spot.start_line == spot.end_line
                else spot.entry.term
            )
            row = {
                "path": name,
                "line": spot.start_line + 1,
                "column": spot.start + 1,
                "end_line": spot.end_line + 1,
                "end_column": spot.end + 1,
                "text": shown,
                "id": spot.entry.id,
                "term": spot.entry.term,
                "summary": spot.entry.summary,
                "count": 1,
            }
            if args.full:
                answer = glossary.hover(analysis, spot.start_line, spot.start, markdown=False)
                row["hover"] = answer.text if answer is not None else spot.entry.summary
            if args.all:
                rows.append(row)
            else:
                found[key] = row
        rows.extend(found.values())
        if args.format == "text":
            _print_explained(rows)
            rows = []
    if args.format == "json":
        print(json.dumps(rows, indent=1, ensure_ascii=False))
    return status


def _print_explained(rows: list[dict]) -> None:
    for row in rows:
        where = f"{row['path']}:{row['line']}:{row['column']}"
        times = f" ({row['count']} times)" if row["count"] > 1 else ""
        print(f"{where}: {row['text']} -> {row['term']}{times}: {row['summary']}")
        if "hover" in row:
            print("".join(f"    {line}".rstrip() + "\n" for line in row["hover"].splitlines()))


SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "env"})
CHECKED_SUFFIXES = (".py", ".md")


def _files(paths: list[str], keep: str | None = None) -> list[Path]:
    """The Python and Markdown files named or under the folders named (hidden folders and
    environments skipped), in a stable order; a name equal to `keep` (`-`) is passed on."""
    out: list[Path] = []
    for name in paths:
        path = Path(name)
        if name == keep:
            out.append(path)
        elif path.is_dir():
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


def _is_terminal(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):  # closed or detached
        return False


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
        "explain",
        help="print the terms found in files and folders, with their summaries",
        description="Print the terms found in files and folders (recursively; - reads stdin),"
        " each once per file with how many times it occurs, and what it means.",
    )
    explain.add_argument("files", nargs="+", metavar="PATH", help="file, folder, or - for stdin")
    explain.add_argument("--all", action="store_true", help="every occurrence, not once per file")
    explain.add_argument(
        "--full", action="store_true", help="the whole hover text (shape, dtype, values...)"
    )
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.add_argument(
        "--language",
        choices=("python", "markdown"),
        help="read the files as this language (stdin: python unless given)",
    )
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

    if args.command in ("check", "explain"):
        _setup_logging(args.verbose, args.log_file)
        try:
            status = _check(args) if args.command == "check" else _explain(args)
            sys.stdout.flush()  # a reader gone (`| head`) shows here, not at exit
        except BrokenPipeError:
            # The reader stopped early: nothing is wrong, say nothing (and send what Python
            # still holds for stdout nowhere).
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        return status

    _setup_logging(args.verbose, args.log_file)
    if args.tcp and not args.tcp.rpartition(":")[2].isdigit():
        parser.error("--tcp takes HOST:PORT, e.g. 127.0.0.1:2087")
    try:  # Ctrl-C in a terminal ends it without a traceback, whenever it comes
        if not args.tcp and _is_terminal(sys.stdin):
            print(TTY_HINT, file=sys.stderr)
        return _serve(args.tcp)
    except KeyboardInterrupt:
        return 130


def _serve(tcp: str | None) -> int:
    from transformers_glossary_ls.server import server

    server.command_line_log_level = log.level

    # Requests allocate many short-lived objects; collecting less often trims the latency tail.
    gc.set_threshold(10_000, 20, 20)

    if tcp:
        host, _, port = tcp.rpartition(":")
        return server.start_tcp(host or "127.0.0.1", int(port))
    return server.start_io()
