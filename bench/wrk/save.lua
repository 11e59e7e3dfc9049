-- Saving an item of the self-check (保存草稿) as a reporter does, for wrk: each request is
-- a real durable write that passes the session, CSRF and version checks. The items come
-- from bench/prepare.py (slots.lua: cookie, path, version, form body); each wrk thread
-- takes its own share, never sends an item again before its previous save has answered,
-- and counts the version on from the answer (303 to the item: saved). Anything else is
-- counted and printed, so a benchmark of refusals cannot pass for one of writes.
local slots_file = os.getenv("KAOHE_SLOTS")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  threads_n = tonumber(os.getenv("KAOHE_THREADS"))
  local all = dofile(slots_file)
  mine, busy, by_path = {}, {}, {}
  for i, s in ipairs(all) do
    if (i - 1) % threads_n == id then
      local slot = { cookie = s[1], path = s[2], version = s[3], body = s[4] }
      table.insert(mine, slot)
      by_path[slot.path] = slot
    end
  end
  next_slot, saved, refused = 1, 0, 0
end

function request()
  -- The next item not waiting for an answer (there are more items than connections).
  local slot
  for _ = 1, #mine do
    local s = mine[next_slot]
    next_slot = next_slot % #mine + 1
    if not busy[s.path] then slot = s break end
  end
  slot = slot or mine[next_slot]
  busy[slot.path] = true
  return wrk.format("POST", slot.path, {
    ["Cookie"] = slot.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, slot.body .. "&version=" .. slot.version)
end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"]
  if status == 303 and location then
    local path = location:match("^([^?]+)")
    local slot = by_path[path]
    if slot then
      slot.version = slot.version + 1
      busy[path] = nil
      saved = saved + 1
      return
    end
  end
  refused = refused + 1
  -- The refused item's form names its path: free it so it is tried again.
  local path = body and body:match('action="(/c/%d+/u/%d+/i/[^"]+)"')
  if path and by_path[path] then busy[path] = nil end
end

function done(summary, latency, requests)
  local saved_all, refused_all = 0, 0
  for _, t in ipairs(threads) do
    saved_all = saved_all + (t:get("saved") or 0)
    refused_all = refused_all + (t:get("refused") or 0)
  end
  io.write(string.format("saved %d refused %d\n", saved_all, refused_all))
end
