-- Neovim 0.7-0.10 recipe (as in the README)
local wf_client
vim.api.nvim_create_autocmd("FileType", { pattern = { "json", "jsonc" }, callback = function(args)
  wf_client = wf_client or vim.lsp.start_client({ name = "wf-lsp", cmd = { "wf-lsp", "serve" },
    root_dir = vim.fn.getcwd() })
  vim.lsp.buf_attach_client(args.buf, wf_client)
end })
