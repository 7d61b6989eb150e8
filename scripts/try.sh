#!/usr/bin/env bash
# Install the server into a fresh venv and explain the terms in the shipped examples, through the
# same engine the hovers use.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv-try
.venv-try/bin/pip install -q --disable-pip-version-check .
.venv-try/bin/transformers-glossary-ls explain examples/train.py examples/model_card.md
