"""The language server: LSP adapters over the core engine (the only package that speaks LSP)."""
