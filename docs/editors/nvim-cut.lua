vim.cmd("edit " .. os.getenv("WF_FILE"))
vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 100)
io.stdout:write("before: " .. #vim.diagnostic.get(0) .. " diagnostics\n")
local n = vim.api.nvim_buf_line_count(0)
vim.api.nvim_buf_set_lines(0, 40, n, false, {})   -- cut the text mid-way: no "connections" any more
vim.wait(1500, function() return false end, 100)
local codes = {}
for _, d in ipairs(vim.diagnostic.get(0)) do table.insert(codes, tostring(d.code)) end
io.stdout:write("after cut: " .. table.concat(codes, ", ") .. "\n")
vim.cmd("qa!")
