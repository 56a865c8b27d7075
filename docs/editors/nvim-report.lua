-- open a file, wait for diagnostics, print them, then ask for the tenant report of this buffer
local file = os.getenv("WF_FILE")
vim.cmd("edit " .. file)
local ok = vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local out = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(out, string.format("%d:%d %s %s", d.lnum + 1, d.col + 1, vim.diagnostic.severity[d.severity], tostring(d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code))))
end
table.sort(out)
io.stdout:write("waited ok=" .. tostring(ok) .. "\n" .. table.concat(out, "\n") .. "\n")
local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
for _, c in ipairs(clients) do io.stdout:write("client " .. c.name .. " root " .. tostring(c.config.root_dir) .. "\n") end
if clients[1] then
  local params = { command = "wf.showTenantDiagnostics", arguments = { vim.uri_from_bufnr(0) } }
  local res
  if vim.fn.has("nvim-0.11") == 1 then -- a method since 0.11 (the 0.7-0.10 function form is deprecated there)
    res = clients[1]:request_sync("workspace/executeCommand", params, 10000, 0)
  else
    res = clients[1].request_sync("workspace/executeCommand", params, 10000, 0)
  end
  if res and res.result then
    for _, t in ipairs(res.result.tenants) do io.stdout:write("tenant " .. tostring(t.tenantId) .. " placeholder=" .. tostring(t.placeholder) .. " files=" .. t.files .. "\n") end
  else io.stdout:write("command: " .. vim.inspect(res) .. "\n") end
end
vim.cmd("qa!")
