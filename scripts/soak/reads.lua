-- wrk script of scripts/soak.sh: the read side of the soak's mixed load. Each wrk thread has
-- one connection (run with -tN -cN), so a response always answers that thread's last request.
-- Requests are POST /graphql with `Authorization: Bearer $KEY`, in a fixed rotation of kinds,
-- each with varying arguments so caches see both hits and misses:
--   page        cases(first: 20, after: the previous page's endCursor) under one of a set of
--               filters and orders, up to 8 pages deep, then another filter;
--   search      search(query:) with words drawn from the synthetic vocabulary (English,
--               Chinese, Arabic) and now and then words that find nothing;
--   statistics  the full dashboard (examples/queries/dashboard.graphql) with a filter drawn
--               from countries x categories/tags x collections, and an Accept-Language drawn
--               from a few locales: many combinations, so some are cold;
--   slug        case(slug:) of a seeded case (1 in 10 a slug that does not exist: null).
-- Between two requests a connection waits $DELAY_MS (default 20) milliseconds, which bounds
-- the rate. A response counts as an error unless its status is 200 and its body has no
-- top-level "errors" (reads have no userErrors); 5xx are counted apart too.
-- At the end, prints one line per kind and a total:
--   READS kind=page requests=… errors=… status5xx=…
--   READS_TOTAL requests=… errors=… status5xx=… socket_errors=… rps=… p50_ms=… p99_ms=… max_ms=…
--   READS_FIRST_ERROR <status> <kind> <body…>   (only when there was an error)

-- The rotation: pages 3, search 2, slug 2, statistics 1 in 8. $MIX (comma-separated kinds, e.g.
-- "page,search,slug") keeps only those kinds, to find which one a growth comes from.
local ROTATION = { "page", "search", "statistics", "slug", "page", "slug", "search", "page" }

local PAGE_QUERY = "query Page($first: Int, $after: String, $filter: CaseFilter, $orderBy: CaseOrder) "
  .. "{ cases(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { totalCount "
  .. "pageInfo { endCursor hasNextPage } edges { cursor node { id slug title status version "
  .. "publishedAt isSample collection { slug } category { slug name } countries { code name } "
  .. "tags } } } }"
local SEARCH_QUERY = "query Search($query: String!, $first: Int) { search(query: $query, first: $first) "
  .. "{ totalCount pageInfo { endCursor hasNextPage } edges { score highlights { field snippet } "
  .. "node { __typename ... on Case { slug title } ... on Organisation { slug name } "
  .. "... on FollowUpAction { slug title } } } } }"
local STATISTICS_QUERY = "query Dashboard($filter: CaseFilter) { statistics(filter: $filter) { "
  .. "caseCount organisationCount countryCount byCategory { category { slug name } count share } "
  .. "byOrganisationType { type label count share } byCountry(first: 15) { country { code name } count share } "
  .. "byCollection { collection { slug year } count } byMonth(field: PUBLISHED_AT) { month count } "
  .. "byTag(first: 10) { tag count } followUpActions { total byKind { kind label count } "
  .. "byStatus { status count } } } }"
local SLUG_QUERY = "query BySlug($slug: String!) { case(slug: $slug) { id slug title summary status "
  .. "version publishedAt bodyHtml collection { slug year } category { slug name } "
  .. "countries { code name } tags availableLocales } }"

local COUNTRIES = { "CN", "US", "GB", "DE", "FR", "AE", "SA", "EG", "NG", "KE", "IN", "ID", "MY",
  "TH", "VN", "SG", "KR", "JP", "BR", "MX", "KZ", "UZ", "TR", "ZA" }
local TAGS = { "compliance", "branding", "cold-chain", "mobile-payments", "logistics",
  "overseas-warehouse", "customs-clearance", "live-streaming", "digital-marketing",
  "rural-e-commerce", "small-business", "training", "trade-finance", "marketplace",
  "sustainability", "returns", "supply-chain", "localisation", "halal", "digital-silk-road" }
local CATEGORIES = { "government-coordination", "comprehensive-services", "trading-platforms",
  "brand-incubation", "logistics-integration", "financial-empowerment", "technical-support",
  "industrial-support", "digital-empowerment" }
local COLLECTIONS = { "wic-cbec-2024", "wic-cbec-2025" }
local ORDERS = { "", '{"field":"PUBLISHED_AT","direction":"DESC"}',
  '{"field":"UPDATED_AT","direction":"DESC"}', '{"field":"PUBLISHED_AT","direction":"ASC"}' }
local LOCALES = { "en", "zh", "ar", "en-GB", "zh-CN" }
local WORDS = { "logistics", "warehouse", "payment", "brand", "cold-chain", "customs", "overseas",
  "live-streaming", "credit", "rural", "compliance", "delivery", "marketplace", "returns",
  "Gulf", "Africa", "Asia", "Latin America", "European Union", "sellers", "producers",
  "跨境物流", "保税仓储", "移动支付", "冷链", "海外仓", "直播", "东南亚", "中亚",
  "لوجستي", "مستودعات", "الخليج", "أفريقيا", "التجارة الإلكترونية" }
local NOTHING = { "zzyzx", "quixotic platypus", "nonexistentword" }

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local function pick(list) return list[math.random(#list)] end

-- A JSON string literal (our words need no escaping but quotes and backslashes).
local function str(text) return '"' .. text:gsub('[\\"]', "\\%0") .. '"' end

local function body(query, variables)
  return '{"query":' .. str(query) .. ',"variables":' .. variables .. "}"
end

local function filter()
  local parts = {}
  local r = math.random(6)
  if r == 1 then table.insert(parts, '"countries":[' .. str(pick(COUNTRIES)) .. "]") end
  if r == 2 then table.insert(parts, '"categories":[' .. str(pick(CATEGORIES)) .. "]") end
  if r == 3 then table.insert(parts, '"tags":[' .. str(pick(TAGS)) .. "]") end
  if r == 4 then
    table.insert(parts, '"collections":[' .. str(pick(COLLECTIONS)) .. "]")
    table.insert(parts, '"countries":[' .. str(pick(COUNTRIES)) .. "]")
  end
  if r == 5 then
    table.insert(parts, '"statuses":["PUBLISHED","DRAFT"]')
    table.insert(parts, '"tags":[' .. str(pick(TAGS)) .. "]")
  end
  -- r == 6: no filter (the default: published cases)
  return "{" .. table.concat(parts, ",") .. "}"
end

function init(args)
  KINDS = {}
  local mix = os.getenv("MIX") or ""
  for _, k in ipairs(ROTATION) do
    if #mix == 0 or ("," .. mix .. ","):find("," .. k .. ",", 1, true) then table.insert(KINDS, k) end
  end
  if #KINDS == 0 then KINDS = ROTATION end
  key = os.getenv("KEY") or ""
  delay_ms = tonumber(os.getenv("DELAY_MS") or "20") or 20
  math.randomseed(os.time() * 1000 + id)
  counter = 0
  kind = ""
  cursor = nil
  page_filter, page_order, pages = filter(), pick(ORDERS), 0
  for _, k in ipairs({ "page", "search", "statistics", "slug" }) do
    _G["n_" .. k], _G["e_" .. k], _G["s_" .. k] = 0, 0, 0
  end
  first_error = ""
end

function delay()
  return delay_ms
end

function request()
  counter = counter + 1
  kind = KINDS[(counter + id) % #KINDS + 1]
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key }
  local payload
  if kind == "page" then
    if cursor == nil or pages >= 8 then
      page_filter, page_order, pages, cursor = filter(), pick(ORDERS), 0, nil
    end
    local variables = '{"first":20,"filter":' .. page_filter
    if #page_order > 0 then variables = variables .. ',"orderBy":' .. page_order end
    if cursor then variables = variables .. ',"after":' .. str(cursor) end
    payload = body(PAGE_QUERY, variables .. "}")
  elseif kind == "search" then
    local words = pick(WORDS)
    local r = math.random(10)
    if r <= 3 then words = words .. " " .. pick(WORDS) end
    if r == 10 then words = pick(NOTHING) end
    payload = body(SEARCH_QUERY, '{"query":' .. str(words) .. ',"first":' .. (10 * math.random(2)) .. "}")
  elseif kind == "statistics" then
    headers["Accept-Language"] = pick(LOCALES)
    payload = body(STATISTICS_QUERY, '{"filter":' .. filter() .. "}")
  else
    local slug
    if math.random(10) == 1 then
      slug = string.format("soak-missing-%d", math.random(100000))
    else
      slug = string.format("sample-s7-case-%06d", math.random(2000))
    end
    payload = body(SLUG_QUERY, '{"slug":' .. str(slug) .. "}")
  end
  return wrk.format("POST", "/graphql", headers, payload)
end

function response(status, headers, body)
  _G["n_" .. kind] = _G["n_" .. kind] + 1
  if status >= 500 then _G["s_" .. kind] = _G["s_" .. kind] + 1 end
  if status ~= 200 or body:find('"errors":', 1, true) then
    _G["e_" .. kind] = _G["e_" .. kind] + 1
    if #first_error == 0 then first_error = status .. " " .. kind .. " " .. body:sub(1, 400) end
  end
  if kind == "page" then
    pages = pages + 1
    if body:find('"hasNextPage":true', 1, true) then
      cursor = body:match('"endCursor":"([^"]*)"')
    else
      cursor = nil
    end
  end
end

function done(summary, latency, requests)
  local total, errors, status5xx, sample = 0, 0, 0, ""
  for _, k in ipairs({ "page", "search", "statistics", "slug" }) do
    local n, e, s = 0, 0, 0
    for _, thread in ipairs(threads) do
      n = n + thread:get("n_" .. k)
      e = e + thread:get("e_" .. k)
      s = s + thread:get("s_" .. k)
    end
    total, errors, status5xx = total + n, errors + e, status5xx + s
    io.write(string.format("READS kind=%s requests=%d errors=%d status5xx=%d\n", k, n, e, s))
  end
  for _, thread in ipairs(threads) do
    local first = thread:get("first_error")
    if first and #first > 0 and #sample == 0 then sample = first end
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "READS_TOTAL requests=%d errors=%d status5xx=%d socket_errors=%d timeouts=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
    total, errors, status5xx, socket_errors, e.timeout, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  if #sample > 0 then io.write("READS_FIRST_ERROR " .. sample:gsub("\n", " ") .. "\n") end
end
