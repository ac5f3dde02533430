-- wrk script of bench/api/run.sh.
--
-- Always: done() prints one machine-readable WRKRESULT line (requests, duration, p50/p99 in
-- microseconds, error counts; wrk counts a status >= 400 as a status error).
--
-- With WRK_POST_PATH set: every request is a POST of a new secret with a unique name
-- ("<prefix><part><thread>-<n>", WRK_NAME_PREFIX, default "b"), so each one is a durable write.
--
-- With WRK_PATCH_PATH set (e.g. /api/v1beta/secrets/): every request is a PATCH of one of
-- WRK_PATCH_COUNT existing secrets named WRK_PATCH_PREFIX<i> (i in 0..COUNT-1, created
-- beforehand), each time with a new value: a new version, a durable write. PATCHes of one
-- secret take turns on the server, so no two requests in flight update the same one (the case
-- measures independent writes): each wrk thread (WRK_NTHREADS of them) owns the secrets i with
-- i mod (PARTS * NTHREADS) == PART * NTHREADS + thread, takes the next one not in flight
-- for each request (in turn: with one connection, request k updates secret k mod COUNT) and
-- gets it back from the answer's metadata.name. That needs at least as many secrets as
-- connections (run.sh makes max(32, WRITE_CONNECTIONS)).
--
-- WRK_PART and WRK_PARTS (default 0 and 1): this process is part PART of PARTS wrk processes
-- run at once (one per server): its POST names carry the part, and its PATCHes only the
-- secrets of its part.
--
-- Without either, wrk sends its fixed request (the URL and -H headers) and this script adds no
-- per-request Lua work: the reference and the read cases are measured the same way.

local post_path = os.getenv("WRK_POST_PATH")
local patch_path = os.getenv("WRK_PATCH_PATH")
local prefix = os.getenv("WRK_NAME_PREFIX") or "b"
local patch_prefix = os.getenv("WRK_PATCH_PREFIX") or "bench-w"
local patch_count = tonumber(os.getenv("WRK_PATCH_COUNT") or "32")
local part = tonumber(os.getenv("WRK_PART") or "0")
local parts = tonumber(os.getenv("WRK_PARTS") or "1")
local nthreads = tonumber(os.getenv("WRK_NTHREADS") or "1")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

if post_path then
  local n = 0
  local headers
  function request()
    if not headers then  -- wrk.format's headers replace wrk.headers (the -H ones): copy them
      headers = {["Content-Type"] = "application/json"}
      for k, v in pairs(wrk.headers) do headers[k] = v end
    end
    n = n + 1
    local name = prefix .. (parts > 1 and (part .. "p") or "") .. tid .. "-" .. n
    local body = '{"metadata":{"name":"' .. name .. '","description":"bench"},' ..
                 '"data":{"env_vars":[{"name":"TOKEN","value":"v-' .. name ..
                 '-0123456789abcdef0123456789abcdef"}],"files":[]}}'
    return wrk.format("POST", post_path, headers, body)
  end
end

if patch_path then
  local free, head, tail = {}, 1, 0  -- this thread's secrets not in flight, a FIFO
  local mine = {}
  local k = 0
  local headers
  function request()
    if not headers then
      headers = {["Content-Type"] = "application/json"}
      for h, v in pairs(wrk.headers) do headers[h] = v end
      local stride = parts * nthreads
      for i = part * nthreads + (tid - 1), patch_count - 1, stride do
        mine[#mine + 1] = patch_prefix .. i
        tail = tail + 1
        free[tail] = patch_prefix .. i
      end
      assert(#mine > 0, "wrk.lua: WRK_PATCH_COUNT is smaller than the wrk threads")
    end
    k = k + 1
    local name
    if head <= tail then
      name = free[head]
      free[head] = nil
      head = head + 1
    else  -- an answer without its name (an error, a reconnect): fall back to turns
      name = mine[(k - 1) % #mine + 1]
    end
    local body = '{"data":{"env_vars":[{"name":"TOKEN","value":"v-' .. tid .. '-' .. k ..
                 '-0123456789abcdef0123456789abcdef"}],"files":[]}}'
    return wrk.format("PATCH", patch_path .. name, headers, body)
  end
  local pattern = '"name":"(' .. patch_prefix:gsub("%p", "%%%0") .. '%d+)"'
  function response(status, headers, body)
    local name = body and body:match(pattern)
    if name then
      tail = tail + 1
      free[tail] = name
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKRESULT requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f " ..
    "connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
