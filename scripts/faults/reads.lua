-- wrk script of scripts/faults.sh: read load through the proxy. Each connection cycles
-- through a page of cases, a search and the statistics (POST /graphql with the load key),
-- pausing FAULTS_READ_DELAY_MS between requests, and every response is counted by HTTP
-- status and the first `extensions.code` of its errors ("200 -" is a clean answer; a 503
-- the proxy made itself, no replica being ready, is counted under "proxy" as well; an error
-- other than UNAVAILABLE is counted under "paths" with its `path` too).
-- done() prints one line `READS {json}` on standard output, summed over the threads.
--
--   FAULTS_KEY=... FAULTS_READ_DELAY_MS=25 wrk -t2 -c4 -d600s -s reads.lua http://127.0.0.1:PORT
--
-- wrk keeps running until -d or SIGINT; either way done() runs.

local key = os.getenv("FAULTS_KEY") or ""
local pause = tonumber(os.getenv("FAULTS_READ_DELAY_MS") or "25")

local bodies = {
  '{"query":"query Page($after:String){ cases(first:20, after:$after){ totalCount pageInfo { endCursor } nodes { slug title } } }"}',
  '{"query":"query Search($q:String!){ search(query:$q, first:20){ totalCount edges { node { ... on Case { slug } } } } }","variables":{"q":"logistics"}}',
  '{"query":"{ statistics { caseCount byCategory { count } } }"}',
  '{"query":"query Page{ cases(first:50, orderBy:{field:UPDATED_AT, direction:DESC}){ totalCount nodes { slug title } } }"}',
  '{"query":"query Search($q:String!){ search(query:$q, first:10){ totalCount edges { node { ... on Case { slug } } } } }","variables":{"q":"customs clearance platform"}}',
}
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. key,
}

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  proxy = {}
  paths = {}
  sent = 0
  turn = id or 0
end

function request()
  turn = turn + 1
  sent = sent + 1
  return wrk.format("POST", "/graphql", headers, bodies[(turn % #bodies) + 1])
end

function delay()
  return pause
end

function response(status, hdrs, body)
  local code = "-"
  if body ~= nil and string.find(body, '"errors"%s*:') then
    code = string.match(body, '"code"%s*:%s*"([%w_]+)"') or "ERROR"
  end
  local k = tostring(status) .. " " .. code
  counts[k] = (counts[k] or 0) + 1
  if code ~= "-" and code ~= "UNAVAILABLE" then
    -- Where an unexpected error arose: `errors[0].path`, e.g. [statistics,byCategory].
    local path = string.match(body, '"path"%s*:%s*(%b[])') or "(no path)"
    local p = k .. " " .. string.gsub(path, '["\\]', "")
    paths[p] = (paths[p] or 0) + 1
  end
  if hdrs ~= nil and (hdrs["x-faults-origin"] or hdrs["X-Faults-Origin"]) then
    proxy[k] = (proxy[k] or 0) + 1
  end
end

local function encode(t)
  local parts = {}
  for k, v in pairs(t) do
    table.insert(parts, string.format('"%s":%d', k, v))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local counts_all, proxy_all, paths_all, sent_all = {}, {}, {}, 0
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("counts") or {}) do
      counts_all[k] = (counts_all[k] or 0) + v
    end
    for k, v in pairs(thread:get("proxy") or {}) do
      proxy_all[k] = (proxy_all[k] or 0) + v
    end
    for k, v in pairs(thread:get("paths") or {}) do
      paths_all[k] = (paths_all[k] or 0) + v
    end
    sent_all = sent_all + (thread:get("sent") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'READS {"requests":%d,"sent":%d,"counts":%s,"proxy":%s,"paths":%s,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
    '"p50_ms":%.1f,"p99_ms":%.1f,"max_ms":%.1f,"duration_s":%.2f}\n',
    summary.requests, sent_all, encode(counts_all), encode(proxy_all), encode(paths_all),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.duration / 1e6))
end
