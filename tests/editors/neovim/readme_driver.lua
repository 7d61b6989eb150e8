-- readme_driver.lua: after Neovim has started with a README snippet as the user's init.lua and
-- opened a file, wait for the glossary client, ask for a hover the way `K` does
-- (vim.lsp.buf.hover), and write what the hover window shows as JSON to $RD_OUT.
--
-- Run by tests/editors/test_neovim.py:
--   nvim --headless -n FILE -c "luafile readme_driver.lua"
-- with RD_OUT, RD_LINE (0-based), RD_COL (0-based byte column) and RD_TIMEOUT_MS set; with
-- RD_SECOND (a second file of the same project) also opened afterwards, to count the clients.
local out = os.getenv('RD_OUT')
local line = tonumber(os.getenv('RD_LINE') or '0')
local col = tonumber(os.getenv('RD_COL') or '0')
local timeout = tonumber(os.getenv('RD_TIMEOUT_MS') or '20000')

local here = debug.getinfo(1, 'S').source:sub(2):match('(.*/)') or './'
local lib = dofile(here .. 'driver_lib.lua')
local attached = lib.attached
local function finish(result, code) lib.finish(out, result, code) end

local function run()
  local bufnr = vim.api.nvim_get_current_buf()
  local version = vim.version()
  local result = {
    nvim = string.format('%d.%d.%d', version.major, version.minor, version.patch),
    filetype = vim.bo[bufnr].filetype,
  }
  local client
  local ready = vim.wait(timeout, function()
    for _, c in ipairs(attached(bufnr)) do
      if c.initialized then client = c return true end
    end
    return false
  end, 20)
  if not ready then
    result.error = 'no initialized client attached to the buffer'
    return finish(result, 3)
  end
  result.client = client.name
  result.root_dir = client.config.root_dir

  vim.api.nvim_win_set_cursor(0, { line + 1, col })
  local before = {}
  for _, w in ipairs(vim.api.nvim_list_wins()) do before[w] = true end
  vim.lsp.buf.hover()
  local float
  vim.wait(timeout, function()
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if not before[w] and vim.api.nvim_win_get_config(w).relative ~= '' then
        float = w
        return true
      end
    end
    return false
  end, 20)
  if not float then
    result.error = 'no hover window opened'
    return finish(result, 5)
  end
  result.hover = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false)
  local second = os.getenv('RD_SECOND')
  if second then
    vim.api.nvim_win_close(float, true)
    vim.cmd('edit ' .. vim.fn.fnameescape(second))
    local buf2 = vim.api.nvim_get_current_buf()
    vim.wait(timeout, function() return #attached(buf2) > 0 end, 20)
    result.second_clients = {}
    for _, c in ipairs(attached(buf2)) do table.insert(result.second_clients, c.id) end
    result.first_client = client.id
    -- A hover in the Markdown file too; its answer also comes after Neovim's own requests
    -- on opening (0.11+ pulls diagnostics), so none is cut short by the stop below.
    local answers = vim.lsp.buf_request_sync(buf2, 'textDocument/hover', {
      textDocument = { uri = vim.uri_from_bufnr(buf2) },
      position = { line = 0, character = 20 },
    }, timeout) or {}
    for _, answer in pairs(answers) do
      if answer.result then result.second_hover = answer.result.contents.value end
    end
  end
  return finish(result, 0)
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  io.stderr:write('readme_driver: ', tostring(err), '\n')
  finish({ error = tostring(err) }, 8)
end
