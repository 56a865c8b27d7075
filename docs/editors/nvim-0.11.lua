-- Neovim 0.11+ recipe (as in the README)
vim.lsp.config("wf_lsp", {
  cmd = { "wf-lsp", "serve" },
  filetypes = { "json", "jsonc" },
  root_markers = { "wf-lsp.toml", "pyproject.toml", ".git" },
})
vim.lsp.enable("wf_lsp")
