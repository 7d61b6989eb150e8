"""The hover text of an entry: Markdown for most clients, plain text for the rest."""

from __future__ import annotations

import re

import pytest
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.hovertext import fact_text, hover_text, link_label
from transformers_glossary_ls.sanitize import safe_markdown

from .conftest import analysis_of, make_doc


def _bare(text: str) -> str:
    return text.replace("`", "").replace("*", "")


TENSORS = [
    "input_ids",
    "attention_mask",
    "token_type_ids",
    "position_ids",
    "pixel_values",
    "labels",
]


def test_markdown_argument(vocab):
    text = hover_text(vocab.entries["attention_mask"], vocab, markdown=True)
    assert text.startswith("**`attention_mask`**")
    assert vocab.entries["attention_mask"].summary in text
    assert "`(batch_size, sequence_length)`" in text
    assert "`torch.LongTensor`" in text
    assert "1 = attend" in text and "0 = padding" in text
    assert "tokenizer" in text  # produced by
    assert "See also:" in text and "`padding`" in text and "attention mask" in text
    assert (
        "[Transformers docs](https://huggingface.co/docs/transformers/glossary#attention-mask)"
        in text
    )


def test_plain_argument(vocab):
    text = hover_text(vocab.entries["attention_mask"], vocab, markdown=False)
    assert "`" not in text and "*" not in text
    assert text.splitlines()[0].startswith("attention_mask")
    assert "(batch_size, sequence_length)" in text
    assert "torch.LongTensor" in text
    assert "1 = attend" in text
    assert "See also:" in text and "padding" in text
    assert "https://huggingface.co/docs/transformers/glossary#attention-mask" in text
    assert "](" not in text  # no Markdown link syntax


@pytest.mark.parametrize("markdown", [True, False], ids=["markdown", "plain"])
def test_concept(vocab, markdown):
    entry = vocab.entries["causal-language-modeling"]
    text = hover_text(entry, vocab, markdown=markdown)
    assert entry.term in text.splitlines()[0]
    assert entry.summary in text
    assert "See also:" in text
    assert entry.url in text
    assert "Shape" not in text  # concepts carry no tensor facts


@pytest.mark.parametrize("name", TENSORS)
@pytest.mark.parametrize("markdown", [True, False], ids=["markdown", "plain"])
def test_tensor_facts_are_shown(vocab, name, markdown):
    entry = vocab.entries[name]
    text = hover_text(entry, vocab, markdown=markdown)
    for fact in (entry.shape, entry.dtype, entry.values):
        if fact:
            assert _bare(fact) in _bare(text)
    if entry.concept:
        assert vocab.entries[entry.concept].term in text  # the concept is linked


def test_option_shows_type_and_default(vocab):
    entry = vocab.entries["padding"]
    text = hover_text(entry, vocab, markdown=True)
    assert entry.type in text
    if entry.default:
        assert entry.default in text


def test_known_head_shows_its_variant_first(vocab):
    entry = vocab.entries["labels"]
    text = hover_text(entry, vocab, markdown=True, head="BertForSequenceClassification")
    chosen = entry.variant_for("BertForSequenceClassification")
    assert chosen is not None and chosen.shape == "(batch_size,)"
    assert "BertForSequenceClassification" in text
    assert text.index("(batch_size,)") < text.index(entry.definition.splitlines()[0])
    assert "ForTokenClassification" in text  # the other heads are still listed


def test_unknown_head_lists_every_variant(vocab):
    entry = vocab.entries["labels"]
    text = hover_text(entry, vocab, markdown=True, head="SomethingUnheardOf")
    assert all(head in text for variant in entry.variants for head in variant.heads)


def test_every_entry_has_summary_and_link(vocab):
    for entry in vocab.entries.values():
        for markdown in (True, False):
            text = hover_text(entry, vocab, markdown=markdown)
            summary = safe_markdown(entry.summary) if markdown else entry.summary  # `<` escaped
            assert _bare(summary) in _bare(text), entry.id
            assert entry.url in text, entry.id


# Emphasis as Markdown writes it; `**kwargs` and `a * b` are code and maths, not markup.
_MARKUP = re.compile(r"`|(?:^|\s)\*\*?[A-Za-z][^*\n]*\*\*?(?:\s|$|[.,;:])")


def test_plain_text_of_every_entry_has_no_markdown(vocab):
    marked = [
        entry.id
        for entry in vocab.entries.values()
        if _MARKUP.search(hover_text(entry, vocab, markdown=False))
    ]
    assert marked == []


def test_glossary_hover_uses_the_spotter(vocab):
    from transformers_glossary_ls.engine import Glossary

    glossary = Glossary()
    doc = make_doc("out = model(attention_mask=m)\n", "python")
    answer = glossary.hover(analysis_of(doc), 0, 15)
    assert answer is not None
    assert (answer.spot.start, answer.spot.end) == (12, 26)
    assert "(batch_size, sequence_length)" in answer.text
    assert glossary.hover(analysis_of(doc), 0, 2) is None


@pytest.mark.parametrize(
    "url,label",
    [
        ("https://huggingface.co/docs/transformers/glossary#attention-mask", "Transformers docs"),
        ("https://huggingface.co/docs/peft/conceptual_guides/lora", "PEFT docs"),
        ("https://huggingface.co/docs/trl/sft_trainer", "TRL docs"),
        ("https://huggingface.co/docs/accelerate/index", "Hugging Face docs"),
        ("https://wiki.example.org/golden-set", "Docs (wiki.example.org)"),
        ("https://Example.ORG", "Docs (example.org)"),
        # A repository's text: a host that is not a plain name is not shown.
        ("https://ex*ample.org/x", "Docs"),
        ("https://[bad/x", "Docs"),
        ("mailto:team@example.org", "Docs"),
    ],
)
def test_a_link_is_labelled_by_where_it_goes(url, label):
    assert link_label(url) == label


@pytest.mark.parametrize("markdown", [True, False])
def test_a_keyword_s_text_built_with_its_entry_s_kept_text_is_the_same(markdown):
    """The engine hands `fact_text` the entry's text it keeps (several calls' keywords share
    an entry): the text is the one built from the entry."""
    glossary = Glossary()
    glossary.load()
    checked = 0
    for key in ("model:ForCausalLM", "tokenizer", "generate", "training_args"):
        for fact in glossary.facts.names_of(key):
            entry = glossary.vocab.arguments.get(fact.param.name)
            if entry is None or not glossary.facts.speaks_for(entry, fact):
                continue
            for head in (None, "BertForSequenceClassification"):
                built = fact_text(fact, entry, glossary.vocab, markdown, head)
                assert glossary.fact_text(fact, head, markdown) == built
                checked += 1
    assert checked > 20


def test_a_keyword_s_text_is_kept_once_for_every_head_it_does_not_depend_on():
    """A head the entry has no variant for changes nothing in the text: the text rendered
    ahead (no head) serves it, not a second rendering per model class named in the code."""
    glossary = Glossary()
    glossary.load()
    fact = glossary.facts.lookup("model:ForCausalLM", "attention_mask")
    plain = glossary.fact_text(fact, None)
    for head in ("AutoModelForCausalLM", "LlamaForCausalLM", "BertForSequenceClassification"):
        assert glossary.fact_text(fact, head) is plain
    labels = glossary.facts.lookup("model:ForCausalLM", "labels")
    assert "For `AutoModelForCausalLM`" in glossary.fact_text(labels, "AutoModelForCausalLM")
    assert "For `AutoModelForCausalLM`" not in glossary.fact_text(labels, None)


def test_a_hover_looks_for_its_call_once(monkeypatch):
    """The keyword's fact and the model class its text is for come from one look-up of the
    call (on a first visit each look-up reads the lines around)."""
    from transformers_glossary_ls.analysis import Analysis

    glossary = Glossary()
    glossary.load()
    doc = make_doc(
        "from transformers import AutoModelForCausalLM\n"
        "model = AutoModelForCausalLM.from_pretrained('gpt2')\n"
        "out = model(\n"
        "    input_ids=ids,\n"
        "    labels=ids,\n"
        ")\n",
        "python",
    )
    asked: list[tuple[int, int]] = []
    real = Analysis.call_site_at

    def counted(self, line_no, index):
        asked.append((line_no, index))
        return real(self, line_no, index)

    monkeypatch.setattr(Analysis, "call_site_at", counted)
    answer = glossary.hover(analysis_of(doc), 4, 6)
    assert answer is not None and "For `AutoModelForCausalLM`" in answer.text
    assert asked == [(4, 4)]


def test_a_keyword_s_text_made_safe_part_by_part_is_the_whole_made_safe(monkeypatch):
    """`fact_text` makes each part safe alone and does not read the entry's text (safe
    already) again: for every name of the common calls, the text is the one that making the
    whole text safe at once gives."""
    from transformers_glossary_ls import hovertext

    glossary = Glossary()
    glossary.load()
    vocab = glossary.vocab
    checked = 0
    for key in ("model:ForCausalLM", "tokenizer", "generate", "training_args", "SFTConfig"):
        for fact in glossary.facts.names_of(key):
            entry = vocab.arguments.get(fact.param.name)
            if entry is not None and not glossary.facts.speaks_for(entry, fact):
                entry = None
            for head in (None, "LlamaForCausalLM", "BertForSequenceClassification"):
                made = fact_text(fact, entry, vocab, True, head, ("transformers 4.57", "<b>x</b>"))
                with monkeypatch.context() as raw:
                    raw.setattr(hovertext, "safe_markdown", lambda text: text)
                    whole = fact_text(
                        fact, entry, vocab, True, head, ("transformers 4.57", "<b>x</b>")
                    )
                assert made == safe_markdown(whole)
                checked += 1
    assert checked > 500


def test_an_entry_s_text_made_safe_part_by_part_is_the_whole_made_safe(monkeypatch):
    """`hover_text` makes each part safe alone (and keeps it): for every entry, without a
    head, for a head it has a variant for and for one it has none for, the text is the one
    that making the whole text safe at once gives."""
    from transformers_glossary_ls import hovertext

    glossary = Glossary()
    glossary.load()
    vocab = glossary.vocab
    checked = 0
    for entry in vocab.entries.values():
        for head in (None, "LlamaForCausalLM", "BertForSequenceClassification", "T5Model"):
            made = hover_text(entry, vocab, True, head)
            with monkeypatch.context() as raw:
                raw.setattr(hovertext, "_safe_part", lambda text: text)
                whole = hover_text(entry, vocab, True, head)
            assert made == safe_markdown(whole)
            checked += 1
    assert checked > 1000
