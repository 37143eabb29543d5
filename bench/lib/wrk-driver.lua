-- wrk script used by bench/lib/load.mjs (see runWrk there for the arguments).
--
-- Every request carries the next bearer token from a file. The run ends either after a fixed
-- time ("duration" mode) or once a fixed number of requests were answered ("count" mode). At
-- the end no request is cut off: each thread stops sending verifications, sends harmless
-- requests to an unknown path meanwhile (wrk cannot pause a connection), and stops only when
-- every verification it sent has been answered. The responses counted here are therefore
-- exactly the verifications the server processed, which the usage check relies on.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec_t;
  int clock_gettime(int clock_id, bench_timespec_t *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec_t")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local DRAIN_PATH = "/__bench_drain"

-- Main state: hand each thread its index and keep it for done().
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- Thread state.
function init(args)
  method, path, body = args[1], args[2], args[3]
  local tokens_file = args[4]
  mode, amount, nthreads = args[5], tonumber(args[6]), tonumber(args[7])
  tokens = {}
  for line in io.lines(tokens_file) do
    if line ~= "" then tokens[#tokens + 1] = line end
  end
  if body == "-" then body = nil end
  drain_request = wrk.format("GET", DRAIN_PATH, {}, nil)
  -- In count mode thread t sends requests t, t + n, t + 2n, … (0-based) of `amount`.
  next_index = tid
  sent, received, drained = 0, 0, 0
  statuses = {}
  finished, reported = false, false
  first_ms, last_ms = 0, 0
  deadline = nil
  -- wrk calls request() once on the first thread before the run, only to inspect what it
  -- returns. That call must not consume a token or count as sent.
  probe_pending = (tid == 0)
end

function request()
  if probe_pending then
    probe_pending = false
    return drain_request
  end
  local now = now_ms()
  if first_ms == 0 then
    first_ms = now
    if mode == "duration" then deadline = now + amount end
  end
  if not finished then
    if mode == "duration" then
      finished = now >= deadline
    else
      finished = next_index >= amount
    end
  end
  if finished then return drain_request end
  local token = tokens[(next_index % #tokens) + 1]
  next_index = next_index + nthreads
  sent = sent + 1
  local headers = { ["Authorization"] = "Bearer " .. token }
  if body ~= nil then headers["Content-Type"] = "application/json" end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, resp_body)
  if status == 404 then
    drained = drained + 1
  else
    received = received + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
    last_ms = now_ms()
  end
  if finished and received >= sent then
    if not reported then
      reported = true
      io.stderr:write("bench-thread-done\n")
      io.stderr:flush()
    end
    wrk.thread:stop()
  end
end

-- Main state again: one JSON line for the driver.
function done(summary, latency, requests)
  local sent_total, received_total, drained_total = 0, 0, 0
  local first, last = nil, 0
  local merged = {}
  for _, thread in ipairs(threads) do
    sent_total = sent_total + thread:get("sent")
    received_total = received_total + thread:get("received")
    drained_total = drained_total + thread:get("drained")
    local f, l = thread:get("first_ms"), thread:get("last_ms")
    if f > 0 and (first == nil or f < first) then first = f end
    if l > last then last = l end
    for status, count in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(merged) do parts[#parts + 1] = string.format('"%s":%d', status, count) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"sent":%d,"received":%d,"drained":%d,"windowMs":%.3f,"statuses":{%s},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%.1f,"p90":%.1f,"p99":%.1f,"max":%.1f,"mean":%.1f}}\n',
    sent_total, received_total, drained_total, (first == nil) and 0 or (last - first), table.concat(parts, ","),
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
