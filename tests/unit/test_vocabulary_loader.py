"""The YAML loader: one test per defect. Each names file, line and entry, and keeps every valid
entry; hostile or odd inputs are refused without hanging, crashing or running code."""

from __future__ import annotations

import os
import stat
import textwrap
import threading
from pathlib import Path

import pytest
from transformers_glossary_ls.vocabulary import LoadError, load_files
from transformers_glossary_ls.vocabulary.loader import MAX_FILE_BYTES, data_files, default_data_dir
from transformers_glossary_ls.vocabulary.model import SILENT

URL = "https://huggingface.co/docs/transformers/glossary"


def concept(entry_id: str, **extra) -> str:
    fields = {
        "id": entry_id,
        "term": entry_id.replace("-", " "),
        "kind": "concept",
        "summary": f"Summary of {entry_id}.",
        "definition": f"Definition of {entry_id}.",
        "url": f"{URL}#{entry_id}",
        **extra,
    }
    return _entry(fields)


def argument(name: str, **extra) -> str:
    fields = {
        "id": name,
        "term": name,
        "kind": "argument",
        "summary": f"Summary of {name}.",
        "definition": f"Definition of {name}.",
        "url": f"{URL}#{name}",
        **extra,
    }
    return _entry(fields)


def _entry(fields: dict) -> str:
    lines = []
    for key, value in fields.items():
        if value is None:
            continue
        lines.append(f"{key}: {value}")
    return "  - " + "\n    ".join(lines) + "\n"


def write(tmp_path: Path, name: str, *entries: str, header: str = "entries:\n") -> Path:
    path = tmp_path / name
    path.write_text(header + "".join(entries), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing `needle`."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def entry_line(path: Path, k: int) -> int:
    """1-based line where the k-th entry (0-based) of a file starts."""
    starts = [
        n
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if text.startswith("  - ")
    ]
    return starts[k]


def only_error(errors: list[LoadError]) -> LoadError:
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def assert_names(error: LoadError, path: Path, line: int, entry: str, *words: str) -> None:
    assert error.file == str(path)
    assert error.line == line
    assert error.entry == entry
    shown = str(error)
    assert f"{path}:{line}" in shown
    if entry:  # the entry is found by file and line; its id, read from the file, is not quoted
        assert f"'{entry}'" not in shown
    for word in words:
        assert word in shown, shown


# --- a test per defect --------------------------------------------------------------------------


def test_valid_file_loads_without_errors(tmp_path):
    path = write(tmp_path, "ok.yaml", concept("alpha"), argument("beta_ids", see_also="[alpha]"))
    vocab, errors = load_files([path])
    assert errors == []
    assert set(vocab.entries) == {"alpha", "beta_ids"}
    assert vocab.entries["alpha"].source == f"{path}:2"


def test_yaml_syntax_error(tmp_path):
    good = write(tmp_path, "a.yaml", concept("alpha"))
    bad = write(tmp_path, "b.yaml", concept("beta"), "  - id: [unclosed\n    term: x\n")
    vocab, errors = load_files([good, bad])
    error = only_error(errors)
    assert error.file == str(bad) and error.line >= line_of(bad, "[unclosed")
    assert "YAML error" in str(error)
    assert set(vocab.entries) == {"alpha"}  # the broken file is dropped, the other kept


@pytest.mark.parametrize("field", ["id", "term", "kind", "summary", "definition", "url"])
def test_missing_required_field(tmp_path, field):
    entry = concept("beta", **{field: None})
    path = write(tmp_path, "a.yaml", concept("alpha"), entry, concept("gamma"))
    vocab, errors = load_files([path])
    error = only_error(errors)
    expected_entry = "" if field == "id" else "beta"
    assert_names(
        error, path, entry_line(path, 1), expected_entry, f"missing required field '{field}'"
    )
    assert set(vocab.entries) == {"alpha", "gamma"}


@pytest.mark.parametrize(
    "extra,message",
    [
        ({"summary": "[one, two]"}, "field 'summary' must be text"),
        ({"aliases": "just-a-string"}, "field 'aliases' must be a list of strings"),
        ({"see_also": "{a: b}"}, "field 'see_also' must be a list of strings"),
        ({"kind": "keyword"}, "kind must be one of"),
        ({"callables": "[model, spaceship]"}, "unknown callables (known: "),
        ({"variants": "[{shape: x}]"}, "each variant needs a non-empty 'heads' list"),
        ({"choices": "[{doc: no value}]"}, "each choice needs a 'value'"),
        ({"variants": "5"}, "field 'variants' must be a list"),  # once crashed the loader
        ({"choices": "true"}, "field 'choices' must be a list"),
    ],
    ids=[
        "summary list",
        "aliases str",
        "see_also map",
        "bad kind",
        "bad callable",
        "variant without heads",
        "choice without value",
        "variants int",
        "choices bool",
    ],
)
def test_wrong_type(tmp_path, extra, message):
    path = write(tmp_path, "a.yaml", concept("alpha"), argument("beta_ids", **extra))
    vocab, errors = load_files([path])
    error = only_error(errors)
    assert_names(error, path, line_of(path, "id: beta_ids"), "beta_ids", message)
    assert set(vocab.entries) == {"alpha"}


def test_duplicate_id_across_two_files(tmp_path):
    first = write(tmp_path, "a.yaml", concept("alpha"), concept("beta"))
    second = write(tmp_path, "b.yaml", concept("gamma"), concept("beta", term="beta again"))
    vocab, errors = load_files([first, second])
    error = only_error(errors)
    assert_names(
        error,
        second,
        entry_line(second, 1),
        "beta",
        "duplicate id",
        f"{first}:{entry_line(first, 1)}",
    )
    assert set(vocab.entries) == {"alpha", "beta", "gamma"}
    assert vocab.entries["beta"].term == "beta"  # the first definition wins


def test_dangling_see_also(tmp_path):
    path = write(tmp_path, "a.yaml", concept("alpha"), concept("beta", see_also="[alpha, nowhere]"))
    vocab, errors = load_files([path])
    error = only_error(errors)
    assert_names(error, path, entry_line(path, 1), "beta", "item 2 of see_also names no entry")
    assert vocab.entries["beta"].see_also == ("alpha",)  # the entry stays, the reference goes


def test_dangling_concept(tmp_path):
    path = write(tmp_path, "a.yaml", concept("alpha"), argument("beta_ids", concept="ghost"))
    vocab, errors = load_files([path])
    error = only_error(errors)
    assert_names(error, path, entry_line(path, 1), "beta_ids", "concept names no entry")
    assert vocab.entries["beta_ids"].concept == ""
    assert vocab.arguments["beta_ids"] is vocab.entries["beta_ids"]


def test_alias_claimed_by_two_entries(tmp_path):
    path = write(
        tmp_path,
        "a.yaml",
        concept("alpha", aliases="[shared phrase]"),
        concept("beta", aliases="[Shared-Phrase]"),  # same phrase: case and hyphen do not matter
        concept("gamma"),
    )
    vocab, errors = load_files([path])
    error = only_error(errors)
    assert_names(
        error,
        path,
        entry_line(path, 1),
        "beta",
        f"a phrase is already claimed by the entry at {path}:{entry_line(path, 0)}",
    )
    assert set(vocab.entries) == {"alpha", "gamma"}
    assert vocab.phrases[("shared", "phrase")].id == "alpha"


def test_alias_equal_to_another_term(tmp_path):
    path = write(tmp_path, "a.yaml", concept("alpha"), concept("beta", aliases="[alpha]"))
    vocab, errors = load_files([path])
    assert_names(
        only_error(errors), path, entry_line(path, 1), "beta", "already claimed by the entry at"
    )
    assert set(vocab.entries) == {"alpha"}


def test_abbreviation_claimed_twice(tmp_path):
    path = write(
        tmp_path,
        "a.yaml",
        concept("alpha", abbreviations="[AB]"),
        concept("beta", abbreviations="[AB]"),
    )
    vocab, errors = load_files([path])
    assert_names(
        only_error(errors),
        path,
        entry_line(path, 1),
        "beta",
        f"an abbreviation is already claimed by the entry at {path}:{entry_line(path, 0)}",
    )
    assert vocab.abbreviations["AB"].id == "alpha"


def test_abbreviations_are_case_exact_claims(tmp_path):
    path = write(
        tmp_path,
        "a.yaml",
        concept("alpha", abbreviations="[AB]"),
        concept("beta", abbreviations="[ab]"),
    )
    vocab, errors = load_files([path])
    assert errors == []
    assert vocab.abbreviations["AB"].id == "alpha" and vocab.abbreviations["ab"].id == "beta"


def test_false_friend_claimed_as_another_entrys_phrase(tmp_path):
    path = write(
        tmp_path,
        "a.yaml",
        concept("access-token", term="access token"),
        concept("token", false_friends="[Access Token]"),
    )
    vocab, errors = load_files([path])
    assert_names(
        only_error(errors), path, entry_line(path, 1), "token", "a phrase is already claimed"
    )
    assert vocab.phrases[("access", "token")].id == "access-token"


def test_false_friends_are_silent_phrases(tmp_path):
    path = write(
        tmp_path,
        "a.yaml",
        concept(
            "transformer",
            false_friends="[Transformer Engine]",
            false_friend_abbreviations="[Transformers]",
        ),
    )
    vocab, errors = load_files([path])
    assert errors == []
    assert vocab.phrases[("transformer",)].id == "transformer"
    assert vocab.phrases[("transformers",)].id == "transformer"  # the plural, any case
    assert vocab.phrases[("transformer", "engine")] is SILENT  # and its plural
    assert vocab.phrases[("transformer", "engines")] is SILENT
    assert vocab.abbreviations["Transformers"] is SILENT  # case-exact
    assert "" not in vocab.entries


@pytest.mark.parametrize("field", ["false_friends", "false_friend_abbreviations"])
def test_false_friends_must_be_a_list(tmp_path, field):
    path = write(tmp_path, "a.yaml", concept("alpha", **{field: "{a: 1}"}), concept("beta"))
    vocab, errors = load_files([path])
    assert_names(only_error(errors), path, entry_line(path, 0), "alpha", f"'{field}'")
    assert set(vocab.entries) == {"beta"}


def test_argument_name_claimed_twice(tmp_path):
    path = write(
        tmp_path,
        "a.yaml",
        argument("alpha_ids"),
        argument("beta_ids", aliases="[alpha_ids]"),
        argument("gamma_ids"),
    )
    vocab, errors = load_files([path])
    assert_names(
        only_error(errors),
        path,
        entry_line(path, 1),
        "beta_ids",
        f"a name is already claimed by the entry at {path}:{entry_line(path, 0)}",
    )
    assert set(vocab.entries) == {"alpha_ids", "gamma_ids"}
    assert vocab.arguments["alpha_ids"].id == "alpha_ids"


def test_several_defects_in_one_file_are_all_reported(tmp_path):
    path = write(
        tmp_path,
        "a.yaml",
        concept("alpha"),
        concept("beta", url=None),
        concept("alpha"),
        concept("delta", see_also="[nobody]"),
        concept("epsilon"),
    )
    vocab, errors = load_files([path])
    expected = [(entry_line(path, k), who) for k, who in ((1, "beta"), (2, "alpha"), (3, "delta"))]
    assert sorted((e.line, e.entry) for e in errors) == expected
    assert set(vocab.entries) == {"alpha", "delta", "epsilon"}


def test_entry_that_is_not_a_mapping(tmp_path):
    path = write(tmp_path, "a.yaml", concept("alpha"), "  - just a string\n")
    vocab, errors = load_files([path])
    error = only_error(errors)
    assert error.file == str(path) and "not a mapping" in error.message
    assert set(vocab.entries) == {"alpha"}


@pytest.mark.parametrize(
    "text",
    ["- a\n- b\n", "entries: 5\n", "other: []\n", "just text\n"],
    ids=["top-level list", "entries not a list", "no entries key", "scalar"],
)
def test_wrong_top_level_shape(tmp_path, text):
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    vocab, errors = load_files([path])
    error = only_error(errors)
    assert error.file == str(path) and error.line == 1
    assert "expected a mapping with an 'entries' list" in error.message
    assert vocab.entries == {}


# --- refused inputs ---------------------------------------------------------------------------


def test_anchors_and_aliases_are_refused(tmp_path):
    path = tmp_path / "laughs.yaml"
    lol = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, 10):
        lol.append(
            f"{chr(97 + n)}: &{chr(97 + n)} ["
            + ", ".join(f"*{chr(96 + n)}" for _ in range(9))
            + "]"
        )
    path.write_text("\n".join(lol) + "\nentries: []\n", encoding="utf-8")
    vocab, errors = load_files([path])
    error = only_error(errors)
    assert error.file == str(path) and "aliases are not allowed" in str(error)
    assert vocab.entries == {}


def test_merge_key_alias_is_refused(tmp_path):
    path = tmp_path / "merge.yaml"
    path.write_text("base: &base {kind: concept}\nentries:\n  - <<: *base\n    id: x\n")
    vocab, errors = load_files([path])
    assert "aliases are not allowed" in only_error(errors).message
    assert vocab.entries == {}


def test_python_tags_are_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(
        f'entries:\n  - !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8"
    )
    vocab, errors = load_files([path])
    error = only_error(errors)
    assert error.file == str(path) and error.line == 2
    assert not marker.exists()
    assert vocab.entries == {}


def test_file_over_the_size_limit(tmp_path):
    good = write(tmp_path, "a.yaml", concept("alpha"))
    big = tmp_path / "big.yaml"
    big.write_text("entries: []\n" + "#" * MAX_FILE_BYTES, encoding="utf-8")
    vocab, errors = load_files([good, big])
    error = only_error(errors)
    assert error.file == str(big) and "limit" in error.message
    assert set(vocab.entries) == {"alpha"}


@pytest.mark.parametrize("depth", [30, 5000])
def test_deeply_nested_structure(tmp_path, depth):
    path = tmp_path / "deep.yaml"
    path.write_text(
        "entries:\n  - id: x\n    aliases: " + "[" * depth + "]" * depth + "\n", encoding="utf-8"
    )
    vocab, errors = load_files([path])
    error = only_error(errors)
    assert error.file == str(path) and "nesting" in str(error).lower()
    assert vocab.entries == {}


def test_empty_file(tmp_path):
    good = write(tmp_path, "a.yaml", concept("alpha"))
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    vocab, errors = load_files([good, empty])
    assert "empty" in only_error(errors).message
    assert set(vocab.entries) == {"alpha"}


def test_missing_file(tmp_path):
    good = write(tmp_path, "a.yaml", concept("alpha"))
    vocab, errors = load_files([good, tmp_path / "nope.yaml"])
    error = only_error(errors)
    assert error.file == str(tmp_path / "nope.yaml") and "not found" in error.message
    assert set(vocab.entries) == {"alpha"}


def test_directory(tmp_path):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    vocab, errors = load_files([folder])
    assert "not a regular file" in only_error(errors).message
    assert folder not in data_files(tmp_path)  # and a folder is never picked up as data


def _load_with_timeout(paths, seconds=5.0):
    result = {}
    thread = threading.Thread(target=lambda: result.update(out=load_files(paths)), daemon=True)
    thread.start()
    thread.join(seconds)
    return result.get("out")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    try:
        out = _load_with_timeout([fifo])
        assert out is not None, "loading a FIFO blocked"
        vocab, errors = out
        assert "not a regular file" in only_error(errors).message
    finally:
        _release_writer(fifo)


def _release_writer(fifo: Path) -> None:
    """If the loader did block in open(), opening the write end releases it."""
    fd = None
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        pass
    if fd is not None:
        os.close(fd)


def test_non_utf8_bytes(tmp_path):
    good = write(tmp_path, "a.yaml", concept("alpha"))
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"entries:\n  - id: caf\xe9\n")
    vocab, errors = load_files([good, bad])
    error = only_error(errors)
    assert error.file == str(bad) and "cannot read" in error.message
    assert set(vocab.entries) == {"alpha"}


def test_unknown_fields_are_ignored(tmp_path):
    path = write(tmp_path, "a.yaml", concept("alpha", colour="blue"))
    vocab, errors = load_files([path])
    assert errors == [] and set(vocab.entries) == {"alpha"}


def test_line_key_cannot_be_spoofed(tmp_path):
    path = write(tmp_path, "a.yaml", concept("alpha"), concept("beta", __line__=999, url=None))
    _, errors = load_files([path])
    assert only_error(errors).line == entry_line(path, 1)


# --- the loaded model ---------------------------------------------------------------------------


def test_plurals_and_variants_are_derived(tmp_path):
    path = write(
        tmp_path,
        "a.yaml",
        concept("encoder-model", term="encoder model"),
        concept("input-ids", term="input IDs", aliases="[token IDs]"),
        concept("self-attention", term="self-attention"),
    )
    vocab, errors = load_files([path])
    assert errors == []
    phrases = {key: entry.id for key, entry in vocab.phrases.items()}
    assert phrases[("encoder", "models")] == "encoder-model"
    assert phrases[("input", "ids")] == "input-ids"
    assert phrases[("token", "ids")] == "input-ids"
    assert phrases[("self", "attention")] == "self-attention"
    assert vocab.max_phrase_words == 2


def test_block_scalar_definition_keeps_markdown(tmp_path):
    text = textwrap.dedent(
        """\
        entries:
          - id: alpha
            term: alpha
            kind: concept
            summary: "  padded  "
            definition: |
              Line one with `code`.

              Line three.
            url: https://huggingface.co/docs/transformers/glossary#alpha
            default: false
        """
    )
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    vocab, errors = load_files([path])
    assert errors == []
    entry = vocab.entries["alpha"]
    assert entry.summary == "padded"
    assert entry.definition == "Line one with `code`.\n\nLine three."
    assert entry.default == "False"


def test_default_data_dir_is_the_repository_copy_in_a_checkout():
    directory = default_data_dir()
    assert directory.is_dir()
    assert (directory / "README.md").is_file()
    assert [p.name for p in data_files(directory)] == sorted(
        p.name for p in directory.glob("*.yaml")
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_path_that_becomes_a_fifo_after_the_type_check_is_refused(tmp_path, monkeypatch):
    """The path looked like a regular file and is a FIFO by the time it is opened: the file is
    opened once, without waiting for a writer, and the open descriptor is what is checked."""
    fifo = tmp_path / "swapped.yaml"
    os.mkfifo(fifo)
    regular = write(tmp_path, "a.yaml", concept("alpha"))
    real_stat = Path.stat

    def stat_before_the_swap(self, *args, **kwargs):
        return real_stat(regular if self == fifo else self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat_before_the_swap)
    monkeypatch.setattr(Path, "is_file", lambda self: stat.S_ISREG(self.stat().st_mode))
    try:
        out = _load_with_timeout([regular, fifo])
        assert out is not None, "loading a path that became a FIFO blocked"
        vocab, errors = out
        assert "not a regular file" in only_error(errors).message
        assert set(vocab.entries) == {"alpha"}
    finally:
        _release_writer(fifo)


def test_a_file_that_grows_past_the_limit_while_read_is_refused(tmp_path, monkeypatch):
    """The size is enforced on the bytes read, not only on what fstat said before."""
    path = write(tmp_path, "a.yaml", concept("alpha"))
    real_fstat, real_stat = os.fstat, Path.stat

    def small(st: os.stat_result) -> os.stat_result:
        return os.stat_result((*st[:6], 10, *st[7:]))  # st_size: 10 bytes when looked at

    monkeypatch.setattr("transformers_glossary_ls.vocabulary.loader.MAX_FILE_BYTES", 50)
    monkeypatch.setattr(os, "fstat", lambda fd: small(real_fstat(fd)))
    monkeypatch.setattr(Path, "stat", lambda self, **kw: small(real_stat(self, **kw)))
    vocab, errors = load_files([path])
    assert "limit" in only_error(errors).message
    assert vocab.entries == {}


def test_a_nul_byte_in_a_path_is_one_error(tmp_path):
    good = write(tmp_path, "a.yaml", concept("alpha"))
    vocab, errors = load_files([good, Path(str(tmp_path) + "/x\0.yaml")])
    assert "cannot read" in only_error(errors).message
    assert set(vocab.entries) == {"alpha"}


SECRET = "sk-SECRET-7f3a"


@pytest.mark.parametrize(
    "text",
    [
        f"entries:\n  - {SECRET}\n",
        f"entries: [{SECRET}: [}}\n",
        f"entries: !{SECRET} x\n",
        f"entries:\n  - !!python/name:{SECRET} x\n",
        f"TOKEN={SECRET}\nentries: 1\n",
        f'entries:\n  - "\\{SECRET[0]}"\n',
        "entries:\n" + concept(SECRET, kind=SECRET, callables=f"[{SECRET}]"),
        "entries:\n" + concept("a", see_also=f"[{SECRET}]", concept=SECRET),
        "entries:\n" + concept(SECRET) + concept(SECRET, aliases=f"[{SECRET}]"),
        "entries:\n" + concept("a", aliases=f"[{SECRET}]", colour=SECRET, **{SECRET: 1}),
    ],
    ids=[
        "scalar entry",
        "syntax error",
        "unknown tag",
        "python tag",
        "env file",
        "bad escape",
        "bad values",
        "dangling refs",
        "duplicate and claim",
        "unknown fields",
    ],
)
def test_errors_never_quote_the_file(tmp_path, caplog, text):
    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    with caplog.at_level("DEBUG"):
        _, errors = load_files([path])
    shown = " ".join(str(e) for e in errors) + caplog.text
    assert SECRET not in shown and SECRET[3:9] not in shown
