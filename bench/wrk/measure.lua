-- wrk script for bench/run.py: counts response statuses and prints the run's figures as
-- one JSON line that starts with "BENCH-RESULT ".
--
-- Without arguments it sends wrk's own request (a GET of the URL; `method=POST` changes
-- the method). With the argument
-- `requests=FILE` it replays prepared requests instead, each exactly once. Every line of
-- FILE is "METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY" (BODY urlencoded). Thread k of n sends
-- lines k, k+n, k+2n, ... and stops when its share is used up; the run's figures then
-- carry "exhausted": true, because wrk still divides by the full duration. With the
-- further argument `cycle`, each thread starts again from its first line instead.

local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local function split_tabs(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  statuses = {}
  prepared = nil
  sent = 0
  exhausted = 0
  cycle = false
  for _, arg in ipairs(args) do
    if arg == "cycle" then
      cycle = true
    end
    local method = arg:match("^method=(%u+)$")
    if method then
      wrk.method = method
    end
    local path = arg:match("^requests=(.+)$")
    if path then
      prepared = {}
      local thread_count = tonumber(os.getenv("BENCH_WRK_THREADS") or "1")
      local index = 0
      for line in io.lines(path) do
        if index % thread_count == thread_index then
          local fields = split_tabs(line)
          local headers = {
            ["Cookie"] = fields[3],
            ["Content-Type"] = "application/x-www-form-urlencoded",
          }
          table.insert(prepared, wrk.format(fields[1], fields[2], headers, fields[4]))
        end
        index = index + 1
      end
    end
  end
end

function request()
  if prepared == nil then
    return wrk.request()
  end
  sent = sent + 1
  if cycle and sent > #prepared then
    sent = 1
  end
  if sent > #prepared then
    exhausted = 1
    return prepared[#prepared]
  end
  return prepared[sent]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if prepared ~= nil and not cycle and sent >= #prepared then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local totals = {}
  local any_exhausted = false
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
    if thread:get("exhausted") == 1 then
      any_exhausted = true
    end
  end
  local parts = {}
  for status, count in pairs(totals) do
    table.insert(parts, string.format('"%s": %d', status, count))
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "socket_errors": %d, "timeouts": %d, ' ..
    '"exhausted": %s, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max,
    errors.connect + errors.read + errors.write, errors.timeout,
    tostring(any_exhausted), table.concat(parts, ", ")))
end
