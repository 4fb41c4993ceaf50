-- Headless Neovim (its built-in LSP client) drives forksafe-check --lsp for lsp_nvim_test.cpp: open a
-- file, wait for diagnostics, apply the quick fix, wait for the diagnostic to go; results to a file.
local cmd = vim.split(os.getenv('FORKSAFE_LSP_CMD'), '\t', { plain = true })
local file = os.getenv('FORKSAFE_LSP_FILE')
local out = assert(io.open(os.getenv('FORKSAFE_LSP_OUT'), 'w'))
local timeout = 20000

local function log(line)
  out:write(line .. '\n')
  out:flush()
end

local function finish(code)
  out:close()
  vim.cmd((code == 0) and 'qa!' or 'cq!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local client = vim.lsp.start_client({
    name = 'forksafe',
    cmd = cmd,
    root_dir = vim.fn.fnamemodify(file, ':h'),
    on_exit = function(code) log('exit ' .. code) end,
  })
  assert(client, 'cannot start the language server')
  vim.lsp.buf_attach_client(buf, client)

  local function diagnostics()
    local list = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local lsp = d.user_data and d.user_data.lsp or {}
      table.insert(list, string.format('%d:%d %s %s', d.lnum + 1, d.col + 1,
        tostring(lsp.code), tostring(lsp.codeDescription and lsp.codeDescription.href)))
    end
    table.sort(list)
    return list
  end

  if not vim.wait(timeout, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
    log('timeout waiting for diagnostics')
    return
  end
  for _, line in ipairs(diagnostics()) do log('diagnostic ' .. line) end

  -- The quick fix of the first diagnostic (in sorted order: forksafe-per-worker-state).
  local first
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.user_data and d.user_data.lsp and d.user_data.lsp.code
    if code == 'forksafe-per-worker-state' then first = d end
  end
  assert(first, 'no forksafe-per-worker-state diagnostic')
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = first.lnum, character = first.col },
              ['end'] = { line = first.lnum, character = first.col } },
    context = { diagnostics = { first.user_data.lsp } },
  }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, timeout)
  local applied = 0
  for _, response in pairs(responses or {}) do
    for _, action in ipairs(response.result or {}) do
      if applied == 0 and action.edit then
        log('action ' .. action.title)
        vim.lsp.util.apply_workspace_edit(action.edit, 'utf-16')
        applied = applied + 1
      end
    end
  end
  log('applied ' .. applied)
  local before = #vim.diagnostic.get(buf)
  if not vim.wait(timeout, function() return #vim.diagnostic.get(buf) < before end, 50) then
    log('timeout waiting for the diagnostic to go')
  end
  log('after ' .. table.concat(diagnostics(), ', '))
  log('line ' .. vim.api.nvim_buf_get_lines(buf, first.lnum, first.lnum + 1, false)[1])
  vim.lsp.stop_client(client)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client) == nil end, 50)
  log('done')
end)
if not ok then log('error ' .. tostring(err)) end
finish(ok and 0 or 1)
