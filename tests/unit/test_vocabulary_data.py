"""The shipped vocabulary: complete, consistent, and written in our own words."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from transformers_glossary_ls.vocabulary import load_default
from transformers_glossary_ls.vocabulary.loader import data_files, default_data_dir
from transformers_glossary_ls.vocabulary.model import phrase_key

from .conftest import UPSTREAM

DOCS = "https://huggingface.co/docs/transformers/"
GLOSSARY = DOCS + "glossary"
HF_DOCS = "https://huggingface.co/docs/"


def _seed_rows() -> list[dict]:
    lines = (UPSTREAM / "seed_terms.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:] if line.strip()]


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


SEED = _seed_rows()
SEED_IDS = [row["term"] for row in SEED]

# Issue 3, section 2: argument names users pass every day.
MODEL_TENSORS = """
    input_ids attention_mask token_type_ids position_ids decoder_input_ids decoder_attention_mask
    labels pixel_values pixel_mask input_features input_values inputs_embeds decoder_inputs_embeds
    head_mask cache_position encoder_hidden_states encoder_attention_mask start_positions
    end_positions bool_masked_pos
""".split()
MODEL_OTHERS = """
    past_key_values cache use_cache logits_to_keep output_attentions output_hidden_states
    return_dict encoder_outputs interpolate_pos_encoding
""".split()
TOKENIZER_OPTIONS = """
    padding truncation max_length return_tensors return_attention_mask return_token_type_ids
    add_special_tokens stride is_split_into_words return_offsets_mapping return_overflowing_tokens
    pad_to_multiple_of text_pair
""".split()
LISTED = MODEL_TENSORS + MODEL_OTHERS + TOKENIZER_OPTIONS


@pytest.fixture(scope="module")
def loaded():
    return load_default()


@pytest.fixture(scope="module")
def vocab(loaded):
    return loaded[0]


@pytest.fixture(scope="module")
def raw_entries() -> list[tuple[Path, dict]]:
    found = []
    for path in data_files(default_data_dir()):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]:
            found.append((path, item))
    return found


def test_shipped_data_loads_without_errors(loaded):
    vocab, errors = loaded
    assert [str(e) for e in errors] == []  # also: every see_also and concept resolves
    assert len(vocab.entries) >= len(SEED) + len(LISTED)


def test_ids_are_unique_across_files(raw_entries):
    counts = Counter(str(item["id"]) for _, item in raw_entries)
    assert [entry_id for entry_id, n in counts.items() if n > 1] == []


def test_no_spelling_is_claimed_twice(raw_entries):
    claims: Counter = Counter()
    for _, item in raw_entries:
        spellings = {str(item["term"]), *map(str, item.get("aliases") or [])}
        if item["kind"] == "argument":
            claims.update(("name", s) for s in spellings)
        else:
            claims.update({("phrase", phrase_key(s)) for s in spellings})
            claims.update(("abbr", str(a)) for a in item.get("abbreviations") or [])
    assert [claim for claim, n in claims.items() if n > 1] == []


def test_every_reference_resolves(vocab):
    for entry in vocab.entries.values():
        for ref in entry.see_also:
            assert ref in vocab.entries, (entry.id, ref)
            assert ref != entry.id, f"{entry.id} lists itself in see_also"
        if entry.concept:
            assert vocab.entries[entry.concept].kind == "concept", entry.id


# --- the 51 glossary terms ------------------------------------------------------------------------


def test_seed_has_51_terms():
    assert len(SEED) == 51


@pytest.mark.parametrize("row", SEED, ids=SEED_IDS)
def test_seed_term_present(vocab, row):
    entry = vocab.phrases.get(phrase_key(row["term"]))
    assert entry is not None, f"no entry for {row['term']!r}"
    assert entry.kind == "concept"
    assert entry.url == GLOSSARY + row["anchor"]
    for abbreviation in _split(row["abbreviation"]):
        assert vocab.abbreviations.get(abbreviation) is entry, abbreviation
    for alias in _split(row["aliases"]):
        assert vocab.phrases.get(phrase_key(alias)) is entry, alias
    for name in _split(row["arg_name"]):
        argument = vocab.arguments.get(name)
        assert argument is not None, name
        assert argument.concept == entry.id or entry.id in argument.see_also, name


@pytest.mark.parametrize(
    "spelling,entry_id",
    [
        ("self attention", "self-attention"),
        ("self-attention", "self-attention"),
        ("fine-tuned", "finetuned-models"),
        ("finetuned", "finetuned-models"),
        ("fine-tuned models", "finetuned-models"),
        ("pre-trained", "pretrained-model"),
        ("pretrained models", "pretrained-model"),
        ("causal language modelling", "causal-language-modeling"),
        ("masked language modelling", "masked-language-modeling"),
        ("sequence to sequence", "sequence-to-sequence"),
        ("segment IDs", "token-type-ids"),
        ("model head", "head"),
        ("model heads", "head"),
        ("attention masks", "attention-mask"),
        ("decoder models", "decoder-models"),
        ("large language models", "large-language-models"),
        ("tokens", "token"),
        ("transformers", "transformer"),
    ],
)
def test_variant_spellings(vocab, spelling, entry_id):
    assert vocab.phrases[phrase_key(spelling)].id == entry_id


@pytest.mark.parametrize(
    "abbreviation",
    ["CTC", "DP", "DL", "LLM", "MLM", "NLG", "NLP", "NLU", "PP", "RNN", "seq2seq", "TP", "ZeRO"],
)
def test_abbreviations(vocab, abbreviation):
    assert abbreviation in vocab.abbreviations
    assert abbreviation.lower() not in vocab.abbreviations or abbreviation.lower() == abbreviation


# --- arguments ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LISTED)
def test_listed_argument_present(vocab, name):
    entry = vocab.arguments.get(name)
    assert entry is not None, name
    assert entry.kind == "argument" and entry.term == name
    assert entry.callables, f"{name}: which calls take it?"


@pytest.mark.parametrize("name", MODEL_TENSORS)
def test_tensor_arguments_have_shape_dtype_values_and_producer(vocab, name):
    entry = vocab.arguments[name]
    assert entry.shape, name
    assert "torch." in entry.dtype, name
    if "Long" in entry.dtype or "Bool" in entry.dtype:
        assert entry.values, f"{name}: what do its integers mean?"
    assert entry.produced_by, name
    assert "model" in entry.callables


@pytest.mark.parametrize("name", TOKENIZER_OPTIONS)
def test_tokenizer_options_have_type(vocab, name):
    entry = vocab.arguments[name]
    assert entry.type, name
    assert "tokenizer" in entry.callables


@pytest.mark.parametrize(
    "name,shape,values",
    [
        ("input_ids", "(batch_size, sequence_length)", "pad_token_id"),
        ("attention_mask", "(batch_size, sequence_length)", "1 = attend"),
        ("token_type_ids", "(batch_size, sequence_length)", "0 = first segment"),
        ("labels", "", "-100"),
    ],
)
def test_key_facts(vocab, name, shape, values):
    entry = vocab.arguments[name]
    assert shape in entry.shape
    assert values in entry.values


def test_renames_are_recorded(vocab):
    assert "cache" in vocab.arguments["past_key_values"].versions
    assert "past_key_values" in vocab.arguments["cache"].versions


# --- every entry ----------------------------------------------------------------------------------


def test_every_entry_is_complete(vocab):
    for entry in vocab.entries.values():
        assert entry.url.startswith(HF_DOCS), (entry.id, entry.url)  # transformers, trl, peft
        assert entry.summary and "\n" not in entry.summary, entry.id
        assert len(entry.summary) <= 130, (entry.id, len(entry.summary))
        assert len(entry.definition) > len(entry.summary) // 2, entry.id
        if entry.kind == "concept":
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry.id), entry.id
        else:
            assert entry.id == entry.term and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", entry.id)


# --- our own words ------------------------------------------------------------------------------

WORD = re.compile(r"[A-Za-z0-9_']+")  # the tokenisation of the copy-check hook
RUN = 9


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


@pytest.fixture(scope="module")
def upstream_runs() -> set[tuple[str, ...]]:
    words = _words((UPSTREAM / "transformers-glossary.txt").read_text(encoding="utf-8"))
    assert len(words) > 2000  # the fixture is the real page, not a stub
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def _shared_runs(text: str, upstream: set) -> list[str]:
    words = _words(text)
    return [
        " ".join(words[i : i + RUN])
        for i in range(len(words) - RUN + 1)
        if tuple(words[i : i + RUN]) in upstream
    ]


def test_no_entry_repeats_an_upstream_sentence(vocab, upstream_runs):
    copied = {}
    for entry in vocab.entries.values():
        texts = [entry.summary, entry.definition, entry.values, entry.versions]
        texts += [v.values + " " + v.note for v in entry.variants]
        texts += [c.doc for c in entry.choices]
        runs = [run for text in texts for run in _shared_runs(text, upstream_runs)]
        if runs:
            copied[entry.id] = runs[:2]
    assert copied == {}


def test_no_data_file_repeats_an_upstream_sentence(upstream_runs):
    """What the copy-check hook reads: every text file of the data folder, whole."""
    directory = default_data_dir()
    for path in sorted(directory.rglob("*")):
        if path.suffix in {".yaml", ".yml", ".md", ".json", ".toml"}:
            assert _shared_runs(path.read_text(encoding="utf-8"), upstream_runs) == [], path.name


def test_copy_check_catches_a_copied_sentence(upstream_runs):
    """The check itself works: a sentence taken from the page is caught."""
    page = (UPSTREAM / "transformers-glossary.txt").read_text(encoding="utf-8")
    sentence = "This argument indicates to the model which tokens should be attended to"
    assert sentence in page
    assert _shared_runs(f"In short: {sentence}.", upstream_runs)
    assert not _shared_runs("The mask tells the model which positions are padding.", upstream_runs)
