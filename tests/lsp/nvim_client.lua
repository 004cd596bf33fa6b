-- A second real client: Neovim's built-in LSP client (headless), on the two-file workspace
-- of conftest.py. Written for Neovim 0.7 (Debian's package; vim.lsp.start_client) and later.
-- Run by scripts/ci-lsp.sh: AGWLINT_BIN is the server, WS the workspace. Exits non-zero on
-- failure.
local bin = assert(os.getenv('AGWLINT_BIN'))
local ws = assert(os.getenv('WS'))

local function fail(msg)
  io.stderr:write('nvim client: FAILED: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

vim.cmd('edit ' .. vim.fn.fnameescape(ws .. '/app.tf'))
local app = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({
  name = 'agwlint',
  cmd = { bin, 'lsp' },
  root_dir = ws,
  workspace_folders = { { uri = vim.uri_from_fname(ws), name = 'ws' } },
  flags = { debounce_text_changes = 0 },
})
if not id then
  fail('the server did not start')
end
vim.lsp.buf_attach_client(app, id)
local gw = vim.uri_to_bufnr(vim.uri_from_fname(ws .. '/gw.tf'))

local function has(code)
  for _, d in ipairs(vim.diagnostic.get(gw)) do
    if d.code == code then
      return true
    end
  end
  return false
end

local original = vim.api.nvim_buf_get_lines(app, 0, -1, false)
local slow = {}
for i, l in ipairs(original) do
  slow[i] = (l:gsub('00:02:00', '00:10:00'))
end

vim.wait(5000, function()
  local c = vim.lsp.get_client_by_id(id)
  return c ~= nil and c.initialized
end, 20)
vim.api.nvim_buf_set_lines(app, 0, -1, false, slow)
if not vim.wait(15000, function() return has('AGW014') end, 20) then
  fail('AGW014 did not appear in gw.tf after the edit of app.tf')
end
vim.api.nvim_buf_set_lines(app, 0, -1, false, original)
if not vim.wait(15000, function() return not has('AGW014') end, 20) then
  fail('AGW014 did not disappear from gw.tf after the edit was undone')
end
if vim.fn.filereadable(ws .. '/app.tf') ~= 1 then
  fail('app.tf is gone')
end
for _, l in ipairs(vim.fn.readfile(ws .. '/app.tf')) do
  if l:find('00:10:00', 1, true) then
    fail('the server wrote app.tf')
  end
end
vim.lsp.stop_client(id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(id) == nil end, 20)
io.stderr:write('nvim client: ok (AGW014 appeared in gw.tf and disappeared)\n')
vim.cmd('qall!')
