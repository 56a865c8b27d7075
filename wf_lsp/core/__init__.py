"""The validation engine: everything the CLI and the language server agree on (no LSP imports here)."""
