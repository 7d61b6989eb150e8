"""Facts from the generated catalogue about what a call takes or a value holds, in one release.

The bridge between the analysis (what is called, what a variable holds) and the catalogue (what
each callable takes in each release). Engine code: no LSP, no file I/O of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from transformers_glossary_ls import kinds
from transformers_glossary_ls.analysis import CallSite, Held
from transformers_glossary_ls.bounded import BoundedCache
from transformers_glossary_ls.catalogue import Catalogue, Param, head_family
from transformers_glossary_ls.vocabulary import ARGUMENT, Entry

if TYPE_CHECKING:  # annotations only: reading installed sources is the server's, not check's
    from transformers_glossary_ls.installed_docs import Signature

MAX_CACHED = 8192
MAX_CACHED_BYTES = 4 * 1024 * 1024

# Call kinds whose catalogue key is the kind itself.
_SAME_KEY = {
    kinds.TOKENIZER: "tokenizer",
    kinds.PROCESSOR: "processor",
    kinds.IMAGE_PROCESSOR: "image_processor",
    kinds.FEATURE_EXTRACTOR: "processor",
}
# What `Cls.from_pretrained` loads, by the kind of Cls.
_FROM_PRETRAINED = {
    kinds.MODEL: "from_pretrained:model",
    kinds.TOKENIZER: "from_pretrained:tokenizer",
    kinds.PROCESSOR: "from_pretrained:processor",
    kinds.IMAGE_PROCESSOR: "from_pretrained:processor",
    kinds.FEATURE_EXTRACTOR: "from_pretrained:processor",
    kinds.CONFIG: "from_pretrained:config",
}
# Auto classes whose `from_pretrained` reads keywords of its own before it hands the rest to
# the class it picks; every `AutoModel*` shares `_BaseAutoModelClass`'s.
_AUTO_CLASSES = frozenset(
    {
        "AutoTokenizer",
        "AutoConfig",
        "AutoProcessor",
        "AutoImageProcessor",
        "AutoFeatureExtractor",
        "AutoVideoProcessor",
    }
)


def _auto_from_pretrained(cls: str) -> str | None:
    """The catalogue key of an Auto class's own `from_pretrained`, or None."""
    if cls.startswith("AutoModel"):
        return "from_pretrained:AutoModel"
    return f"from_pretrained:{cls}" if cls in _AUTO_CLASSES else None


# Functions (not classes) the catalogue knows, by the name they are called with.
_FUNCTIONS = {"pipeline": "pipeline"}
# Classes whose constructor is a callable of its own in the catalogue under another key.
_CLASSES = {"Trainer": "trainer", "TrainingArguments": "training_args"}
# How a callable is shown in a signature line.
_SHOWN = {
    "training_args": "TrainingArguments",
    "generate": "generate()",
    "generation_config": "GenerationConfig",
    "tokenizer": "tokenizer()",
    "processor": "processor()",
    "image_processor": "image processor",
    "video_processor": "video processor",
    "trainer": "Trainer",
    "pipeline": "pipeline()",
    "pipeline_task": "pipeline task",
    "model": "model forward",
    "model_output": "ModelOutput",
    "config": "PretrainedConfig",
}


# Which `callables` of our entries speak for a catalogue callable of each kind: an entry written
# for one kind of call (generate()'s `inputs`) must not explain a name of another (a Perceiver
# model's `inputs`). Kinds not listed (outputs, configs, trainers, peft) take any entry.
_PROCESSORS = frozenset(
    {kinds.PROCESSOR, kinds.TOKENIZER, kinds.IMAGE_PROCESSOR, kinds.FEATURE_EXTRACTOR}
)
_ENTRY_KINDS = {
    "model": frozenset({kinds.MODEL}),
    "generate": frozenset({kinds.GENERATE}),
    "generation_config": frozenset({kinds.GENERATE}),
    "training_args": frozenset({kinds.TRAINING_ARGS}),
    "trl_config": frozenset({kinds.TRAINING_ARGS}),
    "tokenizer": frozenset({kinds.TOKENIZER}),
    "processor": _PROCESSORS,
    "image_processor": _PROCESSORS,
    "video_processor": _PROCESSORS,
    "from_pretrained": frozenset({kinds.FROM_PRETRAINED}),
}


# The parameters a call takes by position, first to last, where users pass them positionally.
_POSITIONAL = {
    "tokenizer": ("text", "text_pair", "text_target", "text_pair_target"),
    "generate": ("inputs",),
    "pipeline": ("task", "model"),
    "training_args": ("output_dir",),
    "Seq2SeqTrainingArguments": ("output_dir",),
    "trainer": ("model", "args"),
}


def positional_names(facts: list[Fact], count: int) -> list[str]:
    """The names already given by the call's first `count` positional arguments."""
    if not facts or count <= 0:
        return []
    return list(positional_of(facts[0].key)[:count])


def positional_of(key: str) -> tuple[str, ...]:
    """The names a catalogue callable takes by position, first to last, where users do."""
    if key.startswith("from_pretrained"):
        return ("pretrained_model_name_or_path",)
    return _POSITIONAL.get(key, ())


@dataclass(frozen=True, slots=True)
class Fact:
    """A catalogue name met in a document: what it is, for which callable, in which release."""

    param: Param
    key: str  # the catalogue callable it was looked up in
    shown: str  # how that callable is named to the user: "TrainingArguments", "LlamaForCausalLM"
    release: str | None  # the release in force
    yours: bool = False  # the release is the user's own (installed or pinned), not the newest

    @property
    def status(self) -> str:
        return self.param.status(self.release)

    @property
    def signature(self) -> str:
        """`(TrainingArguments) eval_strategy: IntervalStrategy | str = "no"`, as Pylance has it."""
        p = self.param
        line = f"({self.shown}) {p.name}"
        if p.type:
            line += f": {p.type}"
        if p.default is not None:
            line += f" = {p.default}"
        return line

    def as_entry(self) -> Entry:
        """An entry for a name we wrote nothing about: the catalogue's facts alone."""
        p = self.param
        return Entry(
            id=f"{self.key}:{p.name}",
            term=p.name,
            kind=ARGUMENT,
            summary=self.signature,
            definition="",
            url=p.url or "",
            shape=p.shape or "",
            dtype=p.dtype or "",
            type=p.type or "",
            default=p.default or "",
            source="catalogue",
        )


class Facts:
    """Questions to the catalogue, for the releases in force (one per package; a package not
    given is taken at the newest release the catalogue knows)."""

    def __init__(
        self,
        catalogue: Catalogue,
        releases: Mapping[str, str] | None = None,
        yours: frozenset[str] = frozenset(),
        installed: Mapping[str, Signature] | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.releases = dict(releases or {})
        self.yours = yours  # packages whose release is the user's own
        # Model class -> its forward as the installed release writes it (read, never imported).
        self.installed = dict(installed or {})
        # Every name an installed forward takes, also under an old name or from its decorators.
        self._installed_names = frozenset(
            name
            for sig in self.installed.values()
            for name in (
                *sig.names(),
                *(old for old, _, _ in sig.renamed),
                *(name for _, name in sig.added),
            )
        )
        self._signatures: dict[str, dict[str, Param]] = {}  # at most one per installed class
        # The catalogue is fixed; names and classes come from user text: bounded in bytes too.
        self._found: BoundedCache[tuple[str, str], Fact | None] = BoundedCache(
            MAX_CACHED, MAX_CACHED_BYTES
        )

    def _releases_for(self, key: str) -> tuple[str | None, str | None]:
        """(release of the key's package, release of transformers under a trl/peft class)."""
        return self.releases.get(self.catalogue.package_of(key) or ""), self.releases.get(
            "transformers"
        )

    def key_of(self, call: CallSite) -> str | None:
        """The catalogue callable a call is, or None when it is not one we can identify."""
        if call.own:
            return None
        last = call.callee.split(".")[-1]
        kind = call.kind
        if kind == kinds.MODEL:
            family = head_family(call.head_class or "")
            if family is None:
                return "model"
            if call.head_class.startswith("Auto"):  # picks its class at run time: the family
                key = "model:" + family
                return key if self._known(key) else "model"
            return call.head_class
        if kind == kinds.GENERATE:
            return "generation_config" if last == "GenerationConfig" else "generate"
        if kind == kinds.TRAINING_ARGS:
            return last if self._known(last) else "training_args"
        if kind == kinds.FROM_PRETRAINED:
            auto = _auto_from_pretrained(call.head_class or "")
            if auto is not None and self._known(auto):
                return auto  # its own keywords (`use_fast`), over those of what it loads
            loaded = kinds.kind_of_class(call.head_class or "")
            key = _FROM_PRETRAINED.get(loaded or "", "from_pretrained")
            return key if self._known(key) else "from_pretrained"
        if kind in _SAME_KEY:
            return _SAME_KEY[kind]
        if last in _FUNCTIONS and last == call.callee:
            return _FUNCTIONS[last]
        if last[:1].isupper():
            key = _CLASSES.get(last, last)
            return key if self._known(key) else None
        return None

    def key_of_held(self, held: Held) -> str | None:
        """The catalogue callable whose names are attributes of what a variable holds."""
        if held.kind == kinds.MODEL_OUTPUT:
            return "model_output"
        if held.kind == kinds.CONFIG:
            return "config"
        if held.kind == kinds.TRAINING_ARGS:
            return "training_args"
        if held.kind == kinds.GENERATE:
            return "generation_config"
        return None

    def may_take(self, name: str) -> bool:
        """Whether any call we know may take `name` as a keyword: False spares looking for the
        call around a plain assignment (`window = ...`), a first visit's costliest work."""
        return name in self._installed_names or self.catalogue.may_name(name)

    def keyword(self, call: CallSite, name: str) -> Fact | None:
        key = self.key_of(call)
        if key is None:
            return None
        # Name the class the user called (`AutoModel`), not the family it stands for.
        head = call.head_class if call.kind == kinds.MODEL else None
        return self.lookup(key, name, head)

    def attribute(self, held: Held, name: str) -> Fact | None:
        key = self.key_of_held(held)
        return self._fact(key, name) if key else None

    def names_of(self, key: str) -> list[Fact]:
        """Every name a catalogue callable takes in the release in force, sorted by name."""
        found: dict[str, Fact] = {}
        for fact in self.iter_names(key):
            found.setdefault(fact.param.name, fact)
        return [found[n] for n in sorted(found)]

    def iter_names(self, key: str) -> Iterator[Fact]:
        """`names_of` one at a time and unsorted (the first of a name wins), for idle-time
        work that stops between names."""
        shown = self.shown(key)
        if self.exact(key):
            params: Iterable[Param] = self._signature(key).values()
        else:
            params = self.catalogue.iter_params(key, *self._releases_for(key))
        for p in params:
            yield Fact(p, key, shown, self.in_force(p), p.package in self.yours)

    def exact(self, key: str) -> bool:
        """Whether a callable's names are read from the installed release's own signature."""
        return key in self.installed

    def complete(self, key: str) -> bool:
        """Whether `names_of(key)` is every name the call takes: an installed signature, or a
        model class whose own forward the catalogue holds for the release in force."""
        return self.exact(key) or self.catalogue.is_concrete(key, self.releases.get("transformers"))

    def warm_steps(self) -> Iterator[None]:
        """Read the installed classes' signatures ahead of the first request that needs one,
        for idle moments: the catalogue's look-up of what their `**kwargs` and decorators add
        a few hundred names a step, then one class a step."""
        if not self.installed:
            return
        yield from self.catalogue.added_steps(self._transformers_release())
        for key in list(self.installed):
            if key not in self._signatures:
                self._signature(key)
                yield

    def _transformers_release(self) -> str | None:
        return self.releases.get("transformers") or self.catalogue.newest("transformers")

    def _signature(self, key: str) -> dict[str, Param]:
        found = self._signatures.get(key)
        if found is None:
            found = self._signatures[key] = self._read_signature(self.installed[key], key)
        return found

    def _family_key(self, cls: str) -> str:
        key = f"model:{head_family(cls)}"
        return key if self._known(key) else "model"

    def _read_signature(self, sig: Signature, key: str) -> dict[str, Param]:
        """The names a class's installed forward takes, as params that the release in force
        has: the signature's own, a `**kwargs: Unpack[...]` TypedDict's and a decorator's
        (the catalogue's generic model names, by origin), and `@deprecate_kwarg` old names."""
        release = self._transformers_release()
        here = ((release, release),) if release else ()
        out: dict[str, Param] = {}
        origins = [f"decorator:{d}" for d in sig.decorators] + ([sig.kwargs] if sig.kwargs else [])
        for origin in origins:
            names = [n for o, n in sig.added if o == origin]
            for p in self.catalogue.added_by(origin, release, names):
                out[p.name] = replace(p, callable=key)
        # The family's facts (shape, dtype): the class's own would parse the whole class file.
        family_key = self._family_key(key)
        for name, annotation, default in sig.params:
            base = self.catalogue.param(family_key, name, release) or Param(name, key)
            out[name] = replace(
                base,
                callable=key,
                type=annotation or base.type,
                default=default,
                present=here,  # taken in this release, whatever the family did
                last_release=None,
                deprecated=(),
                deprecated_since=None,
                replacement=None,
                removal_planned=None,
            )
        for old, new, removal in sig.renamed:
            base = self.catalogue.param(family_key, old, release) or Param(old, key)
            out[old] = replace(
                base,
                callable=key,
                present=here,
                last_release=None,
                deprecated=here,
                deprecated_since=base.deprecated_since or release,
                replacement=new,
                removal_planned=removal,
            )
        return out

    def shown(self, key: str) -> str:
        if key.startswith("model:"):
            return f"*{key[6:]}"
        if key.startswith("from_pretrained"):
            return "from_pretrained()"
        return _SHOWN.get(key, key)

    def lookup(self, key: str, name: str, head: str | None = None) -> Fact | None:
        """A name of a catalogue callable given by its key (as completion items carry it);
        `head`, the model class called, names a model callable as the user wrote it."""
        if not (self._known(key) or key.startswith("model:")):
            return None
        fact = self._fact(key, name)
        if fact is not None and head and (key == "model" or key.startswith("model:")):
            fact = Fact(fact.param, fact.key, head, fact.release, fact.yours)
        return fact

    def _fact(self, key: str, name: str) -> Fact | None:
        found = self._found.get((key, name), False)
        if found is False:
            param = None
            asked = key
            if self.exact(key):
                param = self._signature(key).get(name)
                asked = self._family_key(key)  # not taken by the class: the family's facts
            if param is None:
                param = self.catalogue.param(asked, name, *self._releases_for(key))
            found = (
                None
                if param is None
                else Fact(
                    param, key, self.shown(key), self.in_force(param), param.package in self.yours
                )
            )
            self._found.put((key, name), found)
        return found

    def speaks_for(self, entry: Entry, fact: Fact) -> bool:
        """Whether our entry for a name explains it in the callable the fact is of."""
        if not entry.callables:
            return True
        wanted = _ENTRY_KINDS.get(self.catalogue.kind_of(fact.key) or "")
        return wanted is None or not wanted.isdisjoint(entry.callables)

    def in_force(self, param: Param) -> str | None:
        """The release answers are for: the one set, else the newest the catalogue knows."""
        return self.releases.get(param.package) or self.catalogue.newest(param.package)

    def _known(self, key: str) -> bool:
        return self.catalogue.package_of(key) is not None
