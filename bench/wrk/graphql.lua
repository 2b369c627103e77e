-- wrk script of bench/run.sh: POSTs the request bodies of $BODIES (one JSON document per
-- line, taken in turn), with `Authorization: Bearer $KEY` when set, and `Accept-Encoding:
-- $ENCODING` when set (bench/compression.sh). With $COLD_LOCALES set,
-- every request names an Accept-Language no earlier request used (a statistics cache miss).
-- A response counts as an error unless its status is 200 and its body has no "errors".
-- Prints one line: RESULT requests=… errors=… rps=… p50_ms=… p99_ms=…

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(os.getenv("BODIES")) do
    if #line > 0 then table.insert(bodies, line) end
  end
  key = os.getenv("KEY")
  encoding = os.getenv("ENCODING")
  cold = os.getenv("COLD_LOCALES")
  counter = 0
  errors = 0
  first_error = ""
end

function request()
  counter = counter + 1
  local headers = { ["Content-Type"] = "application/json" }
  if key and #key > 0 then headers["Authorization"] = "Bearer " .. key end
  if encoding and #encoding > 0 then headers["Accept-Encoding"] = encoding end
  if cold and #cold > 0 then
    headers["Accept-Language"] = "en-x-" .. cold .. "t" .. id .. "n" .. counter
  end
  return wrk.format("POST", "/graphql", headers, bodies[(counter - 1) % #bodies + 1])
end

function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) then
    errors = errors + 1
    if #first_error == 0 then first_error = status .. " " .. body:sub(1, 300) end
  end
end

function done(summary, latency, requests)
  local total_errors, sample = 0, ""
  for _, thread in ipairs(threads) do
    total_errors = total_errors + thread:get("errors")
    local first = thread:get("first_error")
    if first and #first > 0 and #sample == 0 then sample = first end
  end
  -- Non-200 statuses are counted above; add what never got a response.
  total_errors = total_errors + summary.errors.connect + summary.errors.read + summary.errors.timeout
  io.write(string.format("RESULT requests=%d errors=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, total_errors, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  if #sample > 0 then io.write("FIRST_ERROR " .. sample .. "\n") end
end
