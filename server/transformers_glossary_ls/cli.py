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


def _vocabulary_files(vocabularies: list[str] | None) -> tuple[tuple[str, ...], dict[str, str]]:
    """The `--vocabulary` files, then the project's `.transformers-glossary.yaml` (found as
    the server finds it, from the current folder), in layer order, and how hovers name them;
    problems finding them said on stderr."""
    from transformers_glossary_ls.vocabulary.paths import repository_paths

    found, labels, problems = repository_paths([str(_project_root(Path.cwd().resolve()))])
    given = [str(Path(v).expanduser().resolve()) for v in vocabularies or ()]
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return tuple(dict.fromkeys([*given, *found])), labels


def _glossary(vocabularies: list[str] | None, say_errors: bool = True):
    """The engine over the built-in vocabulary and the extra files of `_vocabulary_files`;
    its problems said on stderr."""
    from transformers_glossary_ls.engine import Glossary

    files, labels = _vocabulary_files(vocabularies)
    glossary = Glossary(files, labels=labels)
    for error in glossary.errors if say_errors else ():
        print(f"warning: {error}", file=sys.stderr)
    return glossary


STDIN = "-"
TTY_HINT = (
    "transformers-glossary-ls is a language server for editors: it speaks LSP on stdin and"
    " stdout (see the README's Editor setup). To try it by hand: transformers-glossary-ls"
    " explain FILE"
)


def _units(path: Path, text: str, language: str | None = None) -> list[tuple[str, object, object]]:
    """What of a file is read, as (position prefix, analysis, notebook cell or None): the file
    itself (as `language` when given), or a notebook's Markdown and Python cells (prefix
    `cell:`). Raises NotebookError for a notebook that cannot be read."""
    from transformers_glossary_ls.analysis import Analysis, language_of
    from transformers_glossary_ls.documents import Document
    from transformers_glossary_ls.notebooks import read_ipynb

    uri = path.resolve().as_uri()
    if path.suffix.lower() == ".ipynb":
        return [(f"{cell.number}:", a, cell) for cell, a in read_ipynb(text).open(uri)]
    language = language or language_of("", path.name)
    if language is None:
        return []
    return [("", Analysis(Document(uri, text, language)), None)]  # as `Glossary.open`


def _explain(args: argparse.Namespace) -> int:
    """Print the terms of files, notebooks and folders (`-`: stdin) with their summaries,
    grouped per file unless `--all`, with the whole hover text under `--full`."""
    import json

    from transformers_glossary_ls.engine import Glossary
    from transformers_glossary_ls.environment import choose_versions
    from transformers_glossary_ls.notebooks import NotebookError

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
            units = [("", Glossary.open(uri, text, language), None)]
        else:
            try:
                text = path.read_bytes().decode("utf-8", errors="replace")
            except OSError as exc:
                print(f"{name}: cannot read: {exc}", file=sys.stderr)
                status = 1
                continue
            try:
                units = _units(path, text, args.language)
            except NotebookError as exc:
                print(f"{name}: not a notebook we can read ({exc}); skipped", file=sys.stderr)
                status = 1
                continue
            if not units and path.suffix.lower() != ".ipynb":
                print(f"{name}: not a Python, Markdown or notebook file; skipped", file=sys.stderr)
                continue
        found: dict[str, dict] = {}  # entry id -> its row (grouped per file); else every spot
        for _prefix, analysis, cell in units:
            doc = analysis.doc
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
                    **({"cell": cell.number} if cell is not None else {}),
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
        cell = f"{row['cell']}:" if "cell" in row else ""
        where = f"{row['path']}:{cell}{row['line']}:{row['column']}"
        times = f" ({row['count']} times)" if row["count"] > 1 else ""
        print(f"{where}: {row['text']} -> {row['term']}{times}: {row['summary']}")
        if "hover" in row:
            print("".join(f"    {line}".rstrip() + "\n" for line in row["hover"].splitlines()))


SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "env"})
CHECKED_SUFFIXES = (".py", ".md", ".mdx", ".ipynb")


def _files(paths: list[str], keep: str | None = None) -> list[Path]:
    """The Python, Markdown (and MDX) and notebook files named or under the folders named
    (hidden folders and environments skipped), in a stable order; a name equal to `keep` (`-`)
    is passed on."""
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
    """Report (and with `--fix` fix) the findings of files, notebooks and folders. Only what
    findings need is loaded: the catalogue and the checker, not the vocabulary (unless the
    project or `--vocabulary` adds a file of its own) nor the rest of the engine."""
    import json

    from transformers_glossary_ls.catalogue import default_catalogue
    from transformers_glossary_ls.diagnostics import (
        ERROR,
        VOCABULARY_ERROR,
        Checker,
        Finding,
        select,
    )
    from transformers_glossary_ls.facts import Facts
    from transformers_glossary_ls.notebooks import NotebookError
    from transformers_glossary_ls.versions import releases_in_force

    status, fixed, report = 0, 0, []
    files, labels = _vocabulary_files(args.vocabulary)
    if files:  # the built-in vocabulary is checked by the tests; the user's or team's is not
        from transformers_glossary_ls.engine import Glossary

        glossary = Glossary(files, labels=labels)
        # A broken user or team vocabulary is a finding of its own file (TG100), so CI sees it.
        for error in glossary.errors:
            if error.file in glossary.extra_files:
                line = max(error.line - 1, 0)
                finding = Finding(VOCABULARY_ERROR, ERROR, error.message, line, 0, 0)
                report.append((error.file, None, finding))
            else:
                print(f"warning: {error}", file=sys.stderr)
    if args.target_version:
        versions = {"transformers": args.target_version}
        said = f"transformers {args.target_version} (--target-version)"
    else:
        from transformers_glossary_ls.environment import choose_versions

        choice = choose_versions([Path.cwd()])
        versions, said = dict(choice.versions), choice.message
    catalogue = default_catalogue()
    in_force, notes = releases_in_force(versions, catalogue.releases, catalogue.wheel_version)
    facts = Facts(catalogue, {p: f.release for p, f in in_force.items()}, frozenset(in_force))
    checker = Checker(facts)  # as `Glossary.use_versions` makes it, without installed classes
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
        try:
            units = _units(path, text)
        except NotebookError as exc:
            print(f"{path}: not a notebook we can read ({exc}); skipped", file=sys.stderr)
            status = 2
            continue
        found = [(p, a, c, select(checker.findings(a), only, skip)) for p, a, c in units]
        if args.fix and any(f for *_, f in found):
            text, count = _fixed(text, found)
            if count:
                path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
                fixed += count
                units = _units(path, text)
                found = [(p, a, c, select(checker.findings(a), only, skip)) for p, a, c in units]
        for _prefix, _analysis, cell, findings in found:
            for f in findings:
                report.append((str(path), cell.number if cell is not None else None, f))
    for name, cell, f in report:
        line, col = f.line + 1, f.start + 1
        if args.format == "github":
            kind = {"error": "error", "warning": "warning"}.get(f.severity, "notice")
            message = f.message.replace("%", "%25").replace("\n", "%0A")
            if cell is None:
                print(f"::{kind} file={name},line={line},col={col},title={f.code}::{message}")
            else:  # a notebook's lines are not the file's: the cell goes in the title
                title = f"{f.code} (cell {cell}, line {line}, column {col})"
                print(f"::{kind} file={name},title={title}::{message}")
        elif args.format == "text":
            where = f"{line}:{col}" if cell is None else f"{cell}:{line}:{col}"
            print(f"{name}:{where}: {f.code} {f.message}")
    if args.format == "json":
        rows = [
            {
                "path": name,
                **({"cell": cell} if cell is not None else {}),
                "line": f.line + 1,
                "column": f.start + 1,
                "end_column": f.end + 1,
                "code": f.code,
                "severity": f.severity,
                "message": f.message,
                "fixes": [{"title": x.title, "text": x.edit.text} for x in f.fixes],
            }
            for name, cell, f in report
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


def _fixed(text: str, found: list) -> tuple[str, int]:
    """The file's text with the safe fixes made, and how many were. In a notebook only the
    fixed characters of a cell's source change: every other byte (formatting, outputs,
    metadata, escapes) stays as it was."""
    from transformers_glossary_ls.diagnostics import apply_edits, fix_all
    from transformers_glossary_ls.notebooks import read_ipynb

    if len(found) == 1 and found[0][2] is None:
        edits = fix_all(found[0][3])
        return (apply_edits(text, edits), len(edits)) if edits else (text, 0)
    notebook = read_ipynb(text)
    spans = []
    for _prefix, _analysis, cell, findings in found:
        for edit in fix_all(findings):
            span = notebook.raw_span(cell, edit.line, edit.start, edit.end)
            if span is not None:  # an edit over two JSON strings of the source is not made
                spans.append((*span, edit.text))
    return (notebook.with_edits(spans), len(spans)) if spans else (text, 0)


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
    check.add_argument(
        "paths", nargs="*", help="files and folders (.py, .md, .mdx, .ipynb); default: ."
    )
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

    # What the imports built lives as long as the process (lsprotocol's types, the converter's
    # code, our tables): kept out of every later collection. (Importing without the collector
    # saved ~40 ms of a start but left the garbage of the imports to pile up: peak RSS +10 MB.)
    gc.freeze()

    server.command_line_log_level = log.level

    # Requests allocate many short-lived objects; collecting less often trims the latency tail.
    gc.set_threshold(10_000, 20, 20)

    if tcp:
        host, _, port = tcp.rpartition(":")
        return server.start_tcp(host or "127.0.0.1", int(port))
    return server.start_io()
