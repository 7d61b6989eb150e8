#!/usr/bin/env bash
# Install the server into a fresh venv and explain the terms in the shipped examples, through the
# same engine the hovers use; then show one hover in full, as an editor shows it.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "transformers-glossary-ls needs Python 3.11+; python3 is $(python3 -V 2>&1)" >&2; exit 1; }
python3 -m venv .venv-try
.venv-try/bin/pip install -q --disable-pip-version-check .
.venv-try/bin/transformers-glossary-ls explain examples/train.py examples/model_card.md
echo
echo "One hover in full: attention_mask in a model call, as your editor shows it"
echo "(transformers-glossary-ls explain --full FILE does this for every term):"
echo
echo 'outputs = model(attention_mask=mask)' | .venv-try/bin/transformers-glossary-ls explain --full -
