"""wf-lsp: validation engine, language server and CI checker for MetaBuilder workflow JSON."""

__version__ = "0.1.0"
