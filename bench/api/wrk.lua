-- wrk script of bench/api/run.sh.
--
-- Always: done() prints one machine-readable WRKRESULT line (requests, duration, p50/p99 in
-- microseconds, error counts; wrk counts a status >= 400 as a status error).
--
-- With WRK_POST_PATH set: every request is a POST of a new secret with a unique name
-- ("b<thread>-<n>", prefixed by WRK_NAME_PREFIX), so each one is a durable write. Without
-- it, wrk sends its fixed request (the URL and -H headers) and this script adds no per-request
-- Lua work: the reference and the read cases are measured the same way.

local post_path = os.getenv("WRK_POST_PATH")
local prefix = os.getenv("WRK_NAME_PREFIX") or "b"

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
    local name = prefix .. tid .. "-" .. n
    local body = '{"metadata":{"name":"' .. name .. '","description":"bench"},' ..
                 '"data":{"env_vars":[{"name":"TOKEN","value":"v-' .. name ..
                 '-0123456789abcdef0123456789abcdef"}],"files":[]}}'
    return wrk.format("POST", post_path, headers, body)
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
