"""How much of each callable the shipped vocabulary documents, per release: a Markdown table.

"Documented" means: the name's releases are known from the wheels (every catalogue name), and
for a tensor input (a name whose type or dtype is a tensor) its shape and dtype are known too,
from the wheels, from glossary_data/shapes.json (ours, filled in by the catalogue reader) or
from our own entry for the name.
Also counts how many names carry our own hand-written words. Run:

    .venv/bin/python tools/coverage.py [--releases 4.40,4.57,5.25]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from transformers_glossary_ls.catalogue import Catalogue  # noqa: E402
from transformers_glossary_ls.vocabulary import load_default  # noqa: E402

# The callables the README reports on, by catalogue key; "model:*" families are summed as one.
REPORTED = [
    "model",
    "tokenizer",
    "processor",
    "image_processor",
    "generate",
    "generation_config",
    "training_args",
    "Seq2SeqTrainingArguments",
    "from_pretrained",
    "pipeline",
    "pipeline_task",
    "trainer",
    "model_output",
    "config",
    "SFTConfig",
    "DPOConfig",
    "GRPOConfig",
    "RewardConfig",
    "LoraConfig",
]


@dataclass
class Row:
    key: str
    release: str
    names: int
    ranged: int
    tensors: int
    tensors_shaped: int
    written: int

    @property
    def documented(self) -> float:
        undocumented = (self.names - self.ranged) + (self.tensors - self.tensors_shaped)
        return 1.0 if not self.names else 1 - undocumented / self.names


def is_tensor(param) -> bool:
    """A tensor input: the wheels give it a torch dtype (a callable taking tensors gets none)."""
    return bool(param.dtype)


def rows(catalogue: Catalogue, releases: list[str] | None) -> list[Row]:
    vocab, _ = load_default()
    written = set(vocab.arguments)
    # Our entries fill in shapes the wheels' docstrings do not state.
    shaped_by_us = {n for n, e in vocab.arguments.items() if e.shape and e.dtype}
    out = []
    for key in REPORTED:
        package = catalogue.package_of(key)
        if package is None:
            continue
        for release in releases or [catalogue.newest(package)]:
            params = catalogue.params(key, release if package == "transformers" else None)
            if not params:
                continue
            tensors = [p for p in params if is_tensor(p)]
            out.append(
                Row(
                    key=key,
                    release=release if package == "transformers" else catalogue.newest(package),
                    names=len(params),
                    ranged=sum(1 for p in params if p.present),
                    tensors=len(tensors),
                    tensors_shaped=sum(
                        1 for p in tensors if (p.shape and p.dtype) or p.name in shaped_by_us
                    ),
                    written=sum(1 for p in params if p.name in written),
                )
            )
    return out


def table(found: list[Row]) -> str:
    lines = [
        "| callable | release | names | releases known | tensor inputs with shape+dtype "
        "| our own words | documented |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in found:
        tensors = f"{r.tensors_shaped}/{r.tensors}" if r.tensors else "–"
        lines.append(
            f"| `{r.key}` | {r.release} | {r.names} | {r.ranged} | {tensors} | {r.written} "
            f"| {r.documented:.0%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", help="transformers releases, comma-separated")
    args = parser.parse_args(argv)
    releases = args.releases.split(",") if args.releases else None
    print(table(rows(Catalogue(), releases)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
