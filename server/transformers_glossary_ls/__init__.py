"""A language server that knows the vocabulary of Hugging Face Transformers."""

try:  # written by the build from pyproject.toml, the one source of truth
    from transformers_glossary_ls._version import __version__
except ImportError:  # a source tree that was never built or installed
    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("transformers-glossary-ls")
    except PackageNotFoundError:
        __version__ = "0+unknown"
