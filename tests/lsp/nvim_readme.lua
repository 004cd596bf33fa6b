-- The README's Neovim setup (vim.lsp.config + vim.lsp.enable, Neovim 0.11 or later), loaded as
-- the init file by scripts/ci-lsp.sh: opening a Terraform file of the workspace must start
-- `agwlint lsp` through the README's configuration alone (filetype, root marker), and an edit
-- of app.tf must show AGW014 in gw.tf. WS is the workspace (a `.git` directory marks its root);
-- `agwlint` is found on PATH, as the README assumes. Exits non-zero on failure.
local ws = assert(os.getenv('WS'))

local function fail(msg)
  io.stderr:write('nvim README setup: FAILED: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

vim.cmd('edit ' .. vim.fn.fnameescape(ws .. '/app.tf'))
local app = vim.api.nvim_get_current_buf()
local client
if not vim.wait(10000, function()
  client = vim.lsp.get_clients({ bufnr = app, name = 'agwlint' })[1]
  return client ~= nil and client.initialized
end, 20) then
  fail('the README configuration did not start agwlint for app.tf (filetype ' .. vim.bo[app].filetype .. ')')
end
if vim.fs.normalize(client.root_dir or '') ~= vim.fs.normalize(vim.uv.fs_realpath(ws)) then
  fail('root_dir is ' .. tostring(client.root_dir) .. ', not the workspace')
end
vim.cmd('edit ' .. vim.fn.fnameescape(ws .. '/gw.tf'))
local gw = vim.api.nvim_get_current_buf()
local function has(code)
  for _, d in ipairs(vim.diagnostic.get(gw)) do
    if d.code == code then
      return true
    end
  end
  return false
end
local slow = {}
for i, l in ipairs(vim.api.nvim_buf_get_lines(app, 0, -1, false)) do
  slow[i] = (l:gsub('00:02:00', '00:10:00'))
end
vim.api.nvim_buf_set_lines(app, 0, -1, false, slow)
if not vim.wait(15000, function() return has('AGW014') end, 20) then
  fail('AGW014 did not appear in gw.tf after the edit of app.tf')
end
client:stop()
io.stderr:write('nvim README setup (' .. tostring(vim.version()) .. '): ok (agwlint started by vim.lsp.config, AGW014 shown in gw.tf)\n')
vim.cmd('qall!')
