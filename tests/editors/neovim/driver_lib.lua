-- driver_lib.lua: what the driver scripts share (loaded with dofile from beside them).
local M = {}

-- Write `result` as JSON to `out`, stop every LSP client (waiting for them to exit), and quit
-- Neovim with `code`.
function M.finish(out, result, code)
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  local ids = {}
  for _, c in pairs(vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()) do
    table.insert(ids, c.id)
    vim.lsp.stop_client(c.id)
  end
  vim.wait(3000, function()
    for _, id in ipairs(ids) do
      if vim.lsp.get_client_by_id(id) then return false end
    end
    return true
  end, 20)
  vim.cmd((code == 0 and 'qall!' or ('cquit ' .. code)))
end

-- The clients attached to a buffer (0.7's and 0.11's ways to ask).
function M.attached(bufnr)
  local found = {}
  if vim.lsp.get_clients then
    found = vim.lsp.get_clients({ bufnr = bufnr })
  else
    for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do table.insert(found, c) end
  end
  return found
end

return M
