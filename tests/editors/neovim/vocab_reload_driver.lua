-- vocab_reload_driver.lua: with a README snippet as the user's init.lua and a Markdown file of a
-- project open, hover a team term of the project's `.transformers-glossary.yaml`, then edit that
-- file in Neovim and `:write` it (as a user does; the snippets attach the server to Python and
-- Markdown buffers only, so the server hears of the save from the file itself), go back and hover
-- again until the new text shows. Writes both hovers as JSON to $RD_OUT.
--
-- Run by tests/editors/test_neovim_vocabulary.py:
--   nvim --headless -n NOTES.md -c "luafile vocab_reload_driver.lua"
-- with RD_OUT, RD_LINE, RD_COL (0-based; the column is an LSP character), RD_VOCAB (the
-- vocabulary file), RD_OLD and RD_NEW (the summary before and after the edit) and RD_TIMEOUT_MS.
local out = os.getenv('RD_OUT')
local line = tonumber(os.getenv('RD_LINE') or '0')
local col = tonumber(os.getenv('RD_COL') or '0')
local vocab = os.getenv('RD_VOCAB')
local old, new = os.getenv('RD_OLD'), os.getenv('RD_NEW')
local timeout = tonumber(os.getenv('RD_TIMEOUT_MS') or '20000')

local here = debug.getinfo(1, 'S').source:sub(2):match('(.*/)') or './'
local lib = dofile(here .. 'driver_lib.lua')
local attached = lib.attached
local function finish(result, code) lib.finish(out, result, code) end

-- The hover text at the probe, asked again (the vocabulary loads in the background) until it
-- holds `wanted`, or the time is up; returns the last text seen.
local function hover_until(bufnr, wanted)
  local seen = ''
  vim.wait(timeout, function()
    local answers = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      position = { line = line, character = col },
    }, 2000) or {}
    for _, answer in pairs(answers) do
      if answer.result and answer.result.contents then seen = answer.result.contents.value end
    end
    return seen:find(wanted, 1, true) ~= nil
  end, 200)
  return seen
end

local function run()
  local notes = vim.api.nvim_get_current_buf()
  local version = vim.version()
  local result = { nvim = string.format('%d.%d.%d', version.major, version.minor, version.patch) }
  local ready = vim.wait(timeout, function()
    for _, c in ipairs(attached(notes)) do
      if c.initialized then return true end
    end
    return false
  end, 20)
  if not ready then
    result.error = 'no initialized client attached to the buffer'
    return finish(result, 3)
  end
  result.before = hover_until(notes, old)

  -- The user's edit: open the team file, change the summary, save it.
  vim.cmd('edit ' .. vim.fn.fnameescape(vocab))
  local vocab_buf = vim.api.nvim_get_current_buf()
  result.vocab_clients = #attached(vocab_buf)
  local lines = vim.api.nvim_buf_get_lines(vocab_buf, 0, -1, false)
  for i, text in ipairs(lines) do
    local at = text:find(old, 1, true)
    if at then
      lines[i] = text:sub(1, at - 1) .. new .. text:sub(at + #old)
    end
  end
  vim.api.nvim_buf_set_lines(vocab_buf, 0, -1, false, lines)
  vim.cmd('write')
  vim.cmd('buffer ' .. notes)

  result.after = hover_until(notes, new)
  return finish(result, 0)
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  io.stderr:write('vocab_reload_driver: ', tostring(err), '\n')
  finish({ error = tostring(err) }, 8)
end
