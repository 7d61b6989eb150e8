"""Load and validate the YAML vocabulary. The only module that knows the schema.

Every defect is reported as a `LoadError` naming file and line; the offending entry (or file) is
dropped and everything valid is kept, so one typo never costs the user the glossary. Messages
never quote the file's content: a setting may point at a file that is no vocabulary at all
(`/proc/self/environ`), and the message goes to a pop-up.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from transformers_glossary_ls import __version__, diskcache, kinds
from transformers_glossary_ls.vocabulary.model import (
    ARGUMENT,
    CONCEPT,
    Choice,
    Entry,
    Variant,
    Vocabulary,
    phrase_key,
)

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
_LINE = "__line__"  # where a raw entry's line is recorded
# The schema a file may declare with a top-level `version:` (none means 1). A file written for a
# newer schema than this server reads is refused as a whole, with one message.
SCHEMA_VERSION = 1
REPLACING = ("overrides", "extends")  # an entry changing an earlier file's entry, by its id

REQUIRED = ("id", "term", "kind", "summary", "definition", "url")
TEXT_FIELDS = (
    *REQUIRED,
    "concept",
    "shape",
    "dtype",
    "values",
    "type",
    "default",
    "versions",
)
LIST_FIELDS = (
    "aliases",
    "abbreviations",
    "see_also",
    "produced_by",
    "callables",
    "false_friends",
    "false_friend_abbreviations",
)
KNOWN_FIELDS = {*TEXT_FIELDS, *LIST_FIELDS, *REPLACING, "choices", "variants", _LINE}
KINDS = (CONCEPT, ARGUMENT)
CALLABLES = set(kinds.CALL_KINDS)


@dataclass(frozen=True)
class LoadError:
    file: str
    line: int  # 1-based; 0 when the whole file is at fault
    entry: str  # entry id, or "" when not known (for tools; not shown: it is file content)
    message: str  # ours alone: names fields and places, never values read from the file

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class _RefusedFile(Exception):
    pass


def default_data_dir() -> Path:
    """The vocabulary shipped in the wheel, or the repository's copy in a source checkout."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "glossary_data"
    if installed.is_dir():
        return installed
    return here.parent.parent / "glossary_data"


def _read_bytes(path: Path, limit: int | None = None) -> bytes:
    """A regular file's bytes, opened once: no gap between a type check and the open in which
    the path could become a FIFO or a device. O_NONBLOCK so that opening a FIFO never waits for
    a writer; the size is checked on the open descriptor and again while reading (a file can
    grow after fstat)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _RefusedFile("not a regular file")
        if st.st_size > limit:
            raise _RefusedFile(f"file is {st.st_size} bytes; the limit is {limit}")
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > limit:
                raise _RefusedFile(f"file is over the limit of {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _read(path: Path) -> tuple[bytes | None, list[LoadError]]:
    """A vocabulary file's bytes, or the reason it cannot be read (never its content)."""
    name = str(path)
    try:
        return _read_bytes(path), []
    except FileNotFoundError:
        return None, [LoadError(name, 0, "", "file not found")]
    except (OSError, ValueError, _RefusedFile) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        return None, [LoadError(name, 0, "", f"cannot read: {reason}")]


def _parse_file(path: Path, content: bytes | None = None) -> tuple[list[dict], list[LoadError]]:
    """The raw entries of one file (read here unless its bytes are given)."""
    name = str(path)
    if content is None:
        content, errors = _read(path)
        if content is None:
            return [], errors
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [LoadError(name, 0, "", f"cannot read: not UTF-8 (byte {exc.start})")]
    from transformers_glossary_ls.vocabulary import yaml_text  # noqa: PLC0415 - see its docstring

    try:
        data = yaml_text.read(text, _LINE)
    except yaml_text.Unreadable as exc:
        return [], [LoadError(name, exc.line, "", f"YAML error: {_unquoted(exc.problem)}")]
    except yaml_text.Refused as exc:
        return [], [LoadError(name, 0, "", f"refused: {exc}")]
    if data is None:
        return [], [LoadError(name, 0, "", "file is empty")]
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        line = data.get(_LINE, 1) if isinstance(data, dict) else 1
        return [], [LoadError(name, line, "", "expected a mapping with an 'entries' list")]
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        return [], [LoadError(name, data[_LINE], "", "version must be a whole number from 1")]
    if version > SCHEMA_VERSION:
        return [], [
            LoadError(
                name,
                data[_LINE],
                "",
                f"written for schema version {version}; this server reads up to "
                f"{SCHEMA_VERSION} (update transformers-glossary-ls)",
            )
        ]
    raws, errors = [], []
    for item in data["entries"]:
        if isinstance(item, dict):
            raws.append(item)
        else:
            errors.append(LoadError(name, 0, "", "entry is not a mapping"))
    return raws, errors


def _text_tuple(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, list) and all(isinstance(v, str | int | float | bool) for v in value):
        return tuple(str(v) for v in value)
    return None


def _build_entry(raw: dict, file: str) -> tuple[Entry | None, str]:
    """An Entry from one raw mapping, or None and the reason it is invalid."""
    for key in REQUIRED:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None, f"missing required field '{key}'"
    fields: dict[str, Any] = {}
    for key in TEXT_FIELDS:
        value = raw.get(key)
        if value is None:
            continue
        if isinstance(value, bool):
            value = "True" if value else "False"
        if not isinstance(value, str | int | float):
            return None, f"field '{key}' must be text"
        fields[key] = str(value).strip() if key != "definition" else str(value).rstrip()
    for key in LIST_FIELDS:
        value = _text_tuple(raw.get(key))
        if value is None:
            return None, f"field '{key}' must be a list of strings"
        fields[key] = value
    if fields["kind"] not in KINDS:
        return None, f"kind must be one of {', '.join(KINDS)}"
    if set(fields["callables"]) - CALLABLES:
        return None, f"unknown callables (known: {', '.join(sorted(CALLABLES))})"
    for key in ("choices", "variants"):
        if not isinstance(raw.get(key) or [], list):
            return None, f"field '{key}' must be a list"
    choices = []
    for item in raw.get("choices") or []:
        if not isinstance(item, dict) or "value" not in item:
            return None, "each choice needs a 'value'"
        value = item["value"]
        value = ("True" if value else "False") if isinstance(value, bool) else str(value)
        choices.append(Choice(value=value, doc=str(item.get("doc") or "")))
    variants = []
    for item in raw.get("variants") or []:
        heads = _text_tuple(item.get("heads")) if isinstance(item, dict) else None
        if not heads:
            return None, "each variant needs a non-empty 'heads' list"
        variants.append(
            Variant(
                heads=heads,
                **{
                    k: str(item[k]).strip()
                    for k in ("shape", "dtype", "values", "note")
                    if item.get(k)
                },
            )
        )
    unknown = set(raw) - KNOWN_FIELDS
    if unknown:
        log.info("%s:%s: %d unknown fields ignored", file, raw.get(_LINE, 0), len(unknown))
    entry = Entry(
        **fields,
        choices=tuple(choices),
        variants=tuple(variants),
        source=f"{file}:{raw.get(_LINE, 0)}",
    )
    return entry, ""


def load_files(
    paths: list[Path], labels: dict[str, str] | None = None
) -> tuple[Vocabulary, list[LoadError]]:
    """Load every file; return the valid vocabulary and every defect found. `labels` names the
    files that are not built in (path -> how a hover shows it)."""
    return _load_read([(path, *_read(path)) for path in paths], labels)


def _replacing(raw: dict) -> tuple[str, str, str]:
    """(`overrides` or `extends`, the id it names, a problem) of an entry; ("", "", "") for an
    entry of its own."""
    given = [key for key in REPLACING if key in raw]
    if not given:
        return "", "", ""
    if len(given) > 1:
        return "", "", "an entry takes 'overrides' or 'extends', not both"
    how = given[0]
    target = raw[how]
    if not isinstance(target, str) or not target.strip():
        return "", "", f"field '{how}' must be the id of an entry"
    if "id" in raw and str(raw["id"]) != target:
        return "", "", f"an entry with '{how}' takes its id from it: leave out 'id'"
    return how, target.strip(), ""


def _merged(how: str, earlier: dict, raw: dict) -> dict:
    """An earlier entry's fields with a later entry's on top: `overrides` replaces each field
    it gives; `extends` appends its lists and its definition, and replaces the other fields."""
    merged = {k: v for k, v in earlier.items() if k not in REPLACING}
    for key, value in raw.items():
        if key in REPLACING:
            continue
        before = merged.get(key)
        if how == "extends" and key in LIST_FIELDS and isinstance(before, list):
            value = [*before, *value] if isinstance(value, list) else value
        elif how == "extends" and key == "definition" and isinstance(before, str):
            value = f"{before.rstrip()}\n\n{value}" if isinstance(value, str) else value
        merged[key] = value
    return merged


def _load_read(
    files: list[tuple[Path, bytes | None, list[LoadError]]],
    labels: dict[str, str] | None = None,
    parse=_parse_file,
) -> tuple[Vocabulary, list[LoadError]]:
    """The vocabulary of files already read: (path, bytes or None, why it could not be read).

    Files are layers, in order: an entry of a later file may change an entry of an earlier one
    by naming its id with `overrides:` or `extends:`; reusing an id without saying so is an
    error, and the earlier entry stays."""
    labels = labels or {}
    errors: list[LoadError] = []
    entries: dict[str, Entry] = {}
    raws_by_id: dict[str, dict] = {}
    lines: dict[str, tuple[str, int]] = {}
    for path, content, read_errors in files:
        name = str(path)
        label = labels.get(name, "")
        raws, file_errors = parse(path, content) if content is not None else ([], read_errors)
        errors.extend(file_errors)
        for raw in raws:
            line = int(raw.get(_LINE, 0))
            how, target, problem = _replacing(raw)
            entry_id = target or str(raw.get("id") or "")
            earlier = lines.get(target) if target else None
            if not problem and target and (earlier is None or earlier[0] == name):
                problem = f"'{how}' names no entry of an earlier vocabulary file"
            if not problem and how:
                if "kind" in raw and raw["kind"] != raws_by_id[target].get("kind"):
                    problem = f"an entry with '{how}' cannot change the kind"
                else:
                    raw = {**_merged(how, raws_by_id[target], raw), "id": target, _LINE: line}
            if problem:
                errors.append(LoadError(name, line, entry_id, problem))
                continue
            entry, problem = _build_entry(raw, name)
            if entry is None:
                errors.append(LoadError(name, line, entry_id, problem))
                continue
            if not how and entry.id in lines:
                first_file, first_line = lines[entry.id]
                hint = (
                    "duplicate id"
                    if first_file == name or not label
                    else "id already used by an earlier vocabulary file (to change that entry, "
                    "name it with 'overrides:' or 'extends:' instead of 'id:')"
                )
                errors.append(
                    LoadError(
                        name, line, entry.id, f"{hint} (first defined at {first_file}:{first_line})"
                    )
                )
                continue
            if label:
                shown = f"{label}:{line}"
                replaced = ""
                if how:
                    before = entries[target]
                    replaced = before.origin or _builtin_label(before.source)
                entry = replace(entry, origin=shown, replaces=how, replaced=replaced)
            if how:
                del entries[target]  # the changed entry goes last, with its new claims
            lines[entry.id] = (name, line)
            raws_by_id[entry.id] = raw
            entries[entry.id] = entry

    kept = _drop_conflicting_claims(list(entries.values()), lines, errors)
    kept = _drop_dangling_references(kept, lines, errors)
    return Vocabulary.build(kept), errors


def _builtin_label(source: str) -> str:
    """`glossary_data/arguments.yaml:12` for a built-in entry's absolute file:line."""
    return f"built-in {Path(source).name}" if source else "built-in vocabulary"


_CLAIMS = {"name": "a name", "phrase": "a phrase", "abbr": "an abbreviation"}
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


def _unquoted(problem: str | None) -> str:
    """PyYAML's description of a syntax error without the bits of the file it quotes."""
    return _QUOTED.sub("…", problem or "cannot parse")


def _drop_conflicting_claims(
    entries: list[Entry], lines: dict[str, tuple[str, int]], errors: list[LoadError]
) -> list[Entry]:
    """An alias or abbreviation two entries claim is an error on the later entry."""
    owners: dict[tuple[str, object], str] = {}
    kept = []
    for entry in entries:
        claims = []
        if entry.is_argument:
            claims += [("name", name) for name in (entry.term, *entry.aliases)]
        else:
            claims += [("phrase", phrase_key(p)) for p in (entry.term, *entry.aliases)]
            claims += [("abbr", a) for a in entry.abbreviations]
            claims += [("phrase", phrase_key(p)) for p in entry.false_friends]
            claims += [("abbr", a) for a in entry.false_friend_abbreviations]
        clash = next(
            ((c, owners[c]) for c in claims if c in owners and owners[c] != entry.id), None
        )
        if clash is not None:
            (what, _), owner = clash
            file, line = lines[entry.id]
            first_file, first_line = lines[owner]
            errors.append(
                LoadError(
                    file,
                    line,
                    entry.id,
                    f"{_CLAIMS[what]} is already claimed by the entry at {first_file}:{first_line}",
                )
            )
            continue
        for claim in claims:
            owners[claim] = entry.id
        kept.append(entry)
    return kept


def _drop_dangling_references(
    entries: list[Entry], lines: dict[str, tuple[str, int]], errors: list[LoadError]
) -> list[Entry]:
    """A see_also or concept naming no entry is reported; the reference is dropped, not the
    entry."""
    ids = {e.id for e in entries}
    fixed = []
    for entry in entries:
        file, line = lines[entry.id]
        missing = [ref for ref in entry.see_also if ref not in ids]
        for k in range(len(missing)):
            which = f"item {entry.see_also.index(missing[k]) + 1} of see_also"
            errors.append(LoadError(file, line, entry.id, f"{which} names no entry"))
        concept = entry.concept
        if concept and concept not in ids:
            errors.append(LoadError(file, line, entry.id, "concept names no entry"))
            concept = ""
        if missing or concept != entry.concept:
            entry = replace(
                entry, see_also=tuple(r for r in entry.see_also if r in ids), concept=concept
            )
        fixed.append(entry)
    return fixed


def data_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def load_default(
    extra: list[Path] | None = None, labels: dict[str, str] | None = None
) -> tuple[Vocabulary, list[LoadError]]:
    """The shipped vocabulary plus any user and team files, each a layer over the ones before
    (`labels`: how hovers name each extra file; by default its path).

    Each file is read once, and the validated result is kept in a JSON cache keyed by what was
    read (paths and bytes): parsing and validating the YAML costs ~40 ms, reading the cache ~5.
    """
    extra = list(extra or [])
    labels = {str(p): (labels or {}).get(str(p)) or shown_path(p) for p in extra}
    paths = data_files(default_data_dir()) + extra
    files = [(path, *_read(path)) for path in paths]
    cache = _cache_file(files, labels)
    cached = _read_cache(cache) if cache else None
    if cached is not None:
        return cached
    vocab, errors = _load_read(files, labels)
    if cache:
        _write_cache(cache, vocab, errors)
    return vocab, errors


def shown_path(path: Path) -> str:
    """A user file's path as a hover shows it: the home folder as `~`."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except (ValueError, RuntimeError):
        return str(path)


CACHE_FORMAT = 3  # bump when Entry or the validation rules change
CACHE_DIR_ENV = diskcache.CACHE_DIR_ENV
cache_dir = diskcache.cache_dir
MAX_CACHE_FILES = 8
MAX_CACHE_BYTES = 64 * 1024 * 1024


def _cache_file(
    files: list[tuple[Path, bytes | None, list[LoadError]]], labels: dict[str, str]
) -> Path | None:
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{__version__}".encode())
    digest.update(json.dumps(sorted(labels.items())).encode())
    for path, content, _ in files:
        if content is None:
            return None  # let the loader report it, every time
        digest.update(f"{path}\0{len(content)}\0".encode())
        digest.update(content)
    try:
        folder = cache_dir()
    except RuntimeError:  # no home folder to put it in
        return None
    return folder / f"vocabulary-{digest.hexdigest()[:24]}.json"


def _read_cache(path: Path) -> tuple[Vocabulary, list[LoadError]] | None:
    try:
        data = json.loads(_read_bytes(path, MAX_CACHE_BYTES))
        entries = [_entry_from_json(raw) for raw in data["entries"]]
        errors = [LoadError(**raw) for raw in data["errors"]]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, _RefusedFile) as exc:
        log.info("ignoring vocabulary cache %s: %s", path, exc)
        return None
    diskcache.touch(path)
    return Vocabulary.build(entries), errors


def _write_cache(path: Path, vocab: Vocabulary, errors: list[LoadError]) -> None:
    """Write atomically (a reader sees the old file or the whole new one), then trim the folder
    to MAX_CACHE_FILES and MAX_CACHE_BYTES, oldest first."""
    data = {
        "entries": [asdict(entry) for entry in vocab.entries.values()],
        "errors": [asdict(error) for error in errors],
    }
    text = json.dumps(data).encode("utf-8")
    if len(text) > MAX_CACHE_BYTES:
        return  # would evict everything else and still not fit
    diskcache.write_atomic(path, text)
    diskcache.trim(path.parent, "vocabulary-*.json", MAX_CACHE_FILES, MAX_CACHE_BYTES, keep=path)


def _entry_from_json(raw: dict) -> Entry:
    fields = {key: tuple(value) if isinstance(value, list) else value for key, value in raw.items()}
    fields["choices"] = tuple(Choice(**c) for c in raw["choices"])
    fields["variants"] = tuple(
        Variant(**{**v, "heads": tuple(v["heads"])}) for v in raw["variants"]
    )
    return Entry(**fields)
