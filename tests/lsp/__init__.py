"""End-to-end tests of the language server over stdio (pytest-lsp), for VS Code's and Neovim's capabilities."""
