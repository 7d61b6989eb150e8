"""A language server that knows the vocabulary of Hugging Face Transformers."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("transformers-glossary-ls")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
