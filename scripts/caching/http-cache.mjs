// Checks 3-5: HTTP caching, with raw requests (node:http: the headers exactly as given).
//   3. the server's own headers, asked directly: a strong ETag and `Cache-Control: public,
//      max-age=N, stale-while-revalidate=…` on an anonymous GET, `Vary: Accept-Language,
//      Authorization, Accept-Encoding`; If-None-Match → 304 without a body; gzip and br when
//      asked (zstd: its frame only, node 20 cannot decode it); `private, no-store` with an
//      Authorization header; `no-store` on an error.
//   4. nginx as a caching proxy in front of it (X-Cache-Status): an anonymous GET twice → the
//      second is a HIT; the title changed through the API; once max-age has passed a GET gets
//      the new title (EXPIRED: nginx revalidated with If-None-Match and got a 200), the next one
//      is a HIT; once it has passed again, REVALIDATED (the server's 304 for unchanged data);
//      another Accept-Language is not served the cached English answer; a GET with
//      Authorization is never a HIT and is `private, no-store`.
//   5. persisted queries through nginx: PersistedQueryNotFound is not cached, the query is
//      registered with a GET carrying it, then the hash-only GET is a MISS, then a HIT.
import {
  ACCEPT,
  MissingFeature,
  cacheControl,
  changeTitle,
  describeErrors,
  fail,
  graphqlGetUrl,
  isNotFound,
  request,
  sha256Hex,
  short,
  sleep,
  varyNames,
} from './common.mjs';

const CASE_TITLE = 'query CaseTitle($slug: String!) { case(slug: $slug) { slug title version updatedAt } }';
// Large enough (several KiB) that any compression threshold lets it be compressed.
const LISTING = '{ cases(first: 20) { nodes { slug title summary } } }';
const ANONYMOUS = { accept: ACCEPT, 'accept-language': 'en' };
const VARY_WANTED = ['accept-language', 'authorization', 'accept-encoding'];

const caseTitleUrl = (base, slug) => graphqlGetUrl(base, { query: CASE_TITLE, variables: { slug }, operationName: 'CaseTitle' });

// The title in an answer, or a failure saying what came instead.
function titleOf(response, what) {
  const title = response.json?.data?.case?.title;
  if (response.status !== 200 || typeof title !== 'string') {
    fail(`${what}: HTTP ${response.status}, ${response.json?.errors ? describeErrors(response.json.errors) : short(response.body)}`);
  }
  return title;
}

// Where two bodies first differ, for the message on unstable ETags.
function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  if (i === a.length && i === b.length) return 'the bodies are identical';
  const from = Math.max(0, i - 40);
  return `the bodies differ at byte ${i}: …${a.slice(from, i + 40)}… vs …${b.slice(from, i + 40)}…`;
}

// ---------------------------------------------------------------------------------------------
// 3. The server's headers

export async function checkServerHeaders({ serverUrl, key, slug, maxAge }) {
  const url = caseTitleUrl(serverUrl, slug);
  const first = await request(url, { headers: ANONYMOUS });
  titleOf(first, 'anonymous GET of CaseTitle');

  const etag = first.headers.etag;
  if (!etag) throw new MissingFeature('ETag on successful GET responses', `headers: ${short(JSON.stringify(first.headers), 400)}`);
  if (etag.startsWith('W/') || !/^"[^"]*"$/.test(etag)) fail(`the ETag ${etag} is not a strong quoted entity tag ("…")`);

  const cc = first.headers['cache-control'];
  const directives = cacheControl(cc);
  if (!directives.public || directives['max-age'] === undefined) {
    throw new MissingFeature(
      `Cache-Control: public, max-age=${maxAge} on anonymous reads of published content`,
      `got ${cc === undefined ? 'no Cache-Control' : `"${cc}"`}`,
    );
  }
  if (Number(directives['max-age']) !== maxAge) fail(`Cache-Control "${cc}": max-age is not ${maxAge} (--cache-max-age ${maxAge})`);
  if (directives['stale-while-revalidate'] === undefined || !/^\d+$/.test(String(directives['stale-while-revalidate']))) {
    throw new MissingFeature('stale-while-revalidate=<seconds> in Cache-Control', `got "${cc}"`);
  }
  if (directives['no-store'] || directives.private || directives['no-cache']) fail(`Cache-Control "${cc}" on an anonymous read also forbids caching`);

  const vary = varyNames(first.headers.vary);
  const missingVary = VARY_WANTED.filter((name) => !vary.includes(name));
  if (missingVary.length) {
    throw new MissingFeature('Vary: Accept-Language, Authorization, Accept-Encoding', `missing ${missingVary.join(', ')}; got "${first.headers.vary ?? ''}"`);
  }
  if (vary.includes('*')) fail('Vary: * makes the answer uncacheable by any shared cache');

  // If-None-Match: a 304 without a body, the same ETag.
  const again = await request(url, { headers: { ...ANONYMOUS, 'if-none-match': etag } });
  if (again.status !== 304) {
    if (again.status === 200 && again.headers.etag && again.headers.etag !== etag) {
      fail(
        `If-None-Match ${etag}: HTTP 200 with another ETag ${again.headers.etag} for the same query and unchanged data: the ETag ` +
          `is not stable across identical requests (per-request data in the body, e.g. extensions.cost.throttleStatus?); ${firstDifference(first.body, again.body)}`,
      );
    }
    throw new MissingFeature('304 Not Modified for a matching If-None-Match', `got HTTP ${again.status} with ETag ${again.headers.etag ?? 'none'}`);
  }
  if (again.raw.length) fail(`the 304 has a body of ${again.raw.length} bytes`);
  if (again.headers.etag !== etag) fail(`the 304 carries the ETag ${again.headers.etag ?? 'none'}, not ${etag} (RFC 9110: it must send the ETag a 200 would)`);
  const notModifiedCacheControl = again.headers['cache-control'];

  // A stale tag is not a match.
  const other = await request(url, { headers: { ...ANONYMOUS, 'if-none-match': '"casegraph-ci-no-such-tag"' } });
  if (other.status !== 200) fail(`If-None-Match with an unknown tag: HTTP ${other.status}, expected 200 with the body`);

  // Compression, when asked.
  const listingUrl = graphqlGetUrl(serverUrl, { query: LISTING });
  const plain = await request(listingUrl, { headers: ANONYMOUS });
  if (plain.status !== 200 || !plain.json?.data) fail(`GET of a listing of 20 cases: HTTP ${plain.status}, ${short(plain.body)}`);
  if (plain.encoding && plain.encoding !== 'identity') fail(`without Accept-Encoding the answer came with Content-Encoding ${plain.encoding}`);
  const sizes = [`identity ${plain.raw.length} B`];
  for (const encoding of ['gzip', 'br']) {
    const compressed = await request(listingUrl, { headers: { ...ANONYMOUS, 'accept-encoding': encoding } });
    if (compressed.status !== 200) fail(`GET with Accept-Encoding ${encoding}: HTTP ${compressed.status}`);
    if (compressed.encoding !== encoding) {
      throw new MissingFeature(
        `compression (${encoding}) when the client sends Accept-Encoding`,
        `Accept-Encoding: ${encoding} → Content-Encoding ${compressed.encoding ?? 'none'} for ${plain.raw.length} bytes of JSON`,
      );
    }
    if (JSON.stringify(compressed.json?.data) !== JSON.stringify(plain.json.data)) fail(`the ${encoding} answer decodes to other data than the plain one`);
    sizes.push(`${encoding} ${compressed.raw.length} B`);
  }
  // zstd: this node may not decode it (zlib has it from node 22.15/23.8), so its frame's magic number.
  const zstd = await request(listingUrl, { headers: { ...ANONYMOUS, 'accept-encoding': 'zstd' }, decode: false });
  if (zstd.status !== 200) fail(`GET with Accept-Encoding zstd: HTTP ${zstd.status}`);
  if (zstd.encoding !== 'zstd') {
    throw new MissingFeature('compression (zstd) when the client sends Accept-Encoding', `Accept-Encoding: zstd → Content-Encoding ${zstd.encoding ?? 'none'}`);
  }
  if (zstd.raw.length < 4 || zstd.raw.readUInt32LE(0) !== 0xfd2fb528) fail(`the zstd answer does not start with a zstd frame (${zstd.raw.subarray(0, 4).toString('hex')})`);
  sizes.push(`zstd ${zstd.raw.length} B`);

  // With an API key: private, never stored.
  const authorized = await request(url, { headers: { ...ANONYMOUS, authorization: `Bearer ${key}` } });
  titleOf(authorized, 'GET of CaseTitle with Authorization');
  const authorizedCc = cacheControl(authorized.headers['cache-control']);
  if (!authorizedCc.private || !authorizedCc['no-store'] || authorizedCc.public) {
    throw new MissingFeature(
      'Cache-Control: private, no-store on answers to requests with Authorization',
      `got ${authorized.headers['cache-control'] === undefined ? 'no Cache-Control' : `"${authorized.headers['cache-control']}"`}`,
    );
  }

  // An error: never cacheable.
  const broken = await request(graphqlGetUrl(serverUrl, { query: '{ casegraphCiNoSuchField }' }), { headers: ANONYMOUS });
  if (!broken.json?.errors?.length) fail(`a query for an unknown field was not answered with errors: HTTP ${broken.status} ${short(broken.body)}`);
  const brokenCc = cacheControl(broken.headers['cache-control']);
  if (!brokenCc['no-store'] || brokenCc.public || brokenCc['max-age'] !== undefined) {
    throw new MissingFeature(
      'Cache-Control: no-store on errors',
      `HTTP ${broken.status} with errors got ${broken.headers['cache-control'] === undefined ? 'no Cache-Control' : `"${broken.headers['cache-control']}"`}`,
    );
  }

  return {
    text:
      `headers: ETag ${etag.length > 20 ? `${etag.slice(0, 18)}…"` : etag}, "${cc}", Vary ${VARY_WANTED.join('/')}; If-None-Match → 304 ` +
      `(Cache-Control ${notModifiedCacheControl ? `"${notModifiedCacheControl}"` : 'none'}); ${sizes.join(', ')}; ` +
      `Authorization → "${authorized.headers['cache-control']}"; error → "${broken.headers['cache-control']}"`,
  };
}

// ---------------------------------------------------------------------------------------------
// 4. nginx

// A GET through nginx: { status, cache (X-Cache-Status), title, cc, response }.
async function throughProxy(url, headers, what) {
  const response = await request(url, { headers });
  if (!('x-cache-status' in response.headers)) {
    fail(`${what}: the answer has no X-Cache-Status header: is ${new URL(url).host} the nginx this run configured? HTTP ${response.status}`);
  }
  return { status: response.status, cache: response.headers['x-cache-status'] || '(empty)', title: titleOf(response, what), cc: response.headers['cache-control'], response };
}

// Why nginx did not store an answer, from the answer's own headers.
function notStoredBecause(response) {
  const cc = response.headers['cache-control'];
  const directives = cacheControl(cc);
  const reasons = [];
  if (cc === undefined) reasons.push('the server sent no Cache-Control (nor Expires)');
  else if (!directives.public && directives['max-age'] === undefined && directives['s-maxage'] === undefined) reasons.push(`Cache-Control "${cc}" gives no lifetime`);
  else if (directives['no-store'] || directives.private || directives['no-cache']) reasons.push(`Cache-Control "${cc}" forbids it`);
  if (response.headers['set-cookie']) reasons.push('the answer sets a cookie (nginx never caches those)');
  if (varyNames(response.headers.vary).includes('*')) reasons.push('Vary: *');
  return reasons.length ? reasons.join('; ') : `Cache-Control "${cc}", Vary "${response.headers.vary ?? ''}": see the nginx logs`;
}

export async function checkNginx({ serverUrl, proxyUrl, key, slug, maxAge }) {
  const url = caseTitleUrl(proxyUrl, slug);
  // The same headers on every anonymous request: they are part of nginx's cache key.
  const anonymous = { ...ANONYMOUS, 'accept-encoding': 'gzip' };
  const statuses = [];
  const get = async (headers, what) => {
    const result = await throughProxy(url, headers, what);
    statuses.push(result.cache);
    return result;
  };
  // nginx keeps whole seconds: an answer stored at T.9 with max-age N is fresh until second
  // T+N has passed, up to N+1 s after it was stored.
  const expiresAfter = (response) => response.at + (maxAge + 1) * 1000 + 150;

  // Stored, then served from the cache.
  const first = await get(anonymous, 'first anonymous GET through nginx');
  if (first.cache === 'HIT') fail('the first anonymous GET was already a HIT in a fresh cache');
  const second = await get(anonymous, 'second anonymous GET through nginx');
  if (second.cache !== 'HIT') {
    const because = notStoredBecause(first.response);
    const error = `the second anonymous GET was not served from nginx's cache (X-Cache-Status ${second.cache}): ${because}`;
    if (/no Cache-Control|gives no lifetime/.test(because)) throw new MissingFeature(`Cache-Control: public, max-age=${maxAge} (nginx does not cache the answer)`, error);
    fail(error);
  }
  if (second.title !== first.title) fail(`the HIT has the title ${JSON.stringify(second.title)}, the MISS had ${JSON.stringify(first.title)}`);
  // (Whether it is compressed at all is the server's choice for a small body: check 3 asks a big one.)
  if (second.response.encoding !== first.response.encoding) {
    fail(`the HIT came with Content-Encoding ${second.response.encoding ?? 'none'}, the MISS with ${first.response.encoding ?? 'none'}`);
  }

  // A change: cached until max-age, then the new title.
  const changed = await changeTitle(serverUrl, key, slug, 'nginx');
  const soon = await get(anonymous, 'GET through nginx right after the change');
  const withinMaxAge = `${soon.cache} ${soon.title === changed.title ? 'new' : 'old'} title`;
  // Normally a HIT with the old title; on a slow machine max-age may already have passed.
  let fresh = soon.title === changed.title ? soon : null;
  if (!fresh) await sleep(Math.max(0, expiresAfter(first.response) - Date.now()));
  const afterExpiry = [];
  for (let attempt = 0; attempt < 5 && !fresh; attempt += 1) {
    if (attempt) await sleep(300);
    const result = await get(anonymous, 'GET through nginx after max-age');
    afterExpiry.push(`${result.cache}${result.title === changed.title ? ' (new title)' : ' (old title)'}`);
    if (result.title === changed.title) fresh = result;
  }
  if (!fresh) {
    fail(
      `${maxAge} s after the cache was filled, nginx still served the old title: ${afterExpiry.join(', ')}; ` +
        `the server's answers had Cache-Control "${first.cc}"`,
    );
  }
  if (fresh.cache === 'HIT') {
    fail(`the new title came as a HIT (${[withinMaxAge, ...afterExpiry].join(', ')}), which a cache filled before the change cannot do`);
  }
  const stored = await get(anonymous, 'GET through nginx after the refresh');
  if (stored.cache !== 'HIT' || stored.title !== changed.title) {
    fail(`the refreshed answer was not stored: next GET ${stored.cache} with ${stored.title === changed.title ? 'the new' : 'the old'} title`);
  }

  // Expired again, unchanged: nginx asks with If-None-Match, the server answers 304.
  await sleep(Math.max(0, expiresAfter(fresh.response) - Date.now()));
  const revalidated = await get(anonymous, 'GET through nginx after max-age, data unchanged');
  if (revalidated.cache !== 'REVALIDATED') {
    const hint =
      revalidated.cache === 'EXPIRED'
        ? 'nginx sent If-None-Match with the ETag it had stored and the server answered 200, not 304 (an ETag not stable across requests, or If-None-Match ignored)'
        : 'see the nginx logs';
    fail(`the unchanged answer, expired, was ${revalidated.cache}, not REVALIDATED: ${hint}`);
  }
  if (revalidated.title !== changed.title) fail(`the REVALIDATED answer has the title ${JSON.stringify(revalidated.title)}`);

  // Another language: its own cache entry.
  const chinese = await get({ ...anonymous, 'accept-language': 'zh' }, 'anonymous GET through nginx in zh');
  if (chinese.cache === 'HIT') fail(`a GET with Accept-Language: zh was a HIT on the first ask (title ${JSON.stringify(chinese.title)}): the cache mixes languages`);

  // With an API key: through to the server every time, never stored.
  const authorized = [];
  for (let i = 0; i < 2; i += 1) {
    const result = await get({ ...anonymous, authorization: `Bearer ${key}` }, `GET through nginx with Authorization (#${i + 1})`);
    if (!['BYPASS', 'MISS'].includes(result.cache)) fail(`a GET with Authorization was ${result.cache}, expected BYPASS or MISS`);
    const directives = cacheControl(result.cc);
    if (!directives.private || !directives['no-store']) {
      throw new MissingFeature('Cache-Control: private, no-store with Authorization', `through nginx: "${result.cc ?? 'none'}"`);
    }
    if (result.title !== changed.title) fail(`a GET with Authorization got the title ${JSON.stringify(result.title)}, not the current one`);
    authorized.push(result.cache);
  }

  return {
    text:
      `nginx: ${first.cache}, ${second.cache}; after the change within max-age ${withinMaxAge}; past max-age (${maxAge} s) ${afterExpiry.join(', ') || '-'}, then ${stored.cache}; ` +
      `unchanged after max-age ${revalidated.cache}; zh ${chinese.cache}; Authorization ${authorized.join(', ')}`,
    statuses,
  };
}

// ---------------------------------------------------------------------------------------------
// 5. Persisted queries through nginx

export async function checkPersistedThroughNginx({ proxyUrl, slug, tag }) {
  const query = `query ProxyCaseTitle_${tag}($slug: String!) { case(slug: $slug) { slug title version updatedAt } }`;
  const hash = sha256Hex(query);
  const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
  const variables = { slug };
  const headers = { ...ANONYMOUS, 'accept-encoding': 'gzip' };
  const hashOnlyUrl = graphqlGetUrl(proxyUrl, { variables, extensions });
  const statuses = [];
  const get = async (url) => {
    const response = await request(url, { headers });
    statuses.push(response.headers['x-cache-status'] || '(empty)');
    return response;
  };

  const unknown = await get(hashOnlyUrl);
  if (!isNotFound(unknown.json)) {
    throw new MissingFeature(
      'automatic persisted queries (Apollo protocol)',
      `a hash-only GET through nginx got HTTP ${unknown.status} ${unknown.json?.errors ? describeErrors(unknown.json.errors) : short(unknown.body)}`,
    );
  }
  const unknownCc = cacheControl(unknown.headers['cache-control']);
  if (!unknownCc['no-store'] || unknownCc.public) {
    throw new MissingFeature('Cache-Control: no-store on errors (PersistedQueryNotFound)', `got "${unknown.headers['cache-control'] ?? 'none'}"`);
  }
  const unknownAgain = await get(hashOnlyUrl);
  if (unknownAgain.headers['x-cache-status'] === 'HIT') fail('nginx served PersistedQueryNotFound from its cache');

  // Registered over GET (the query and its hash, as urql does), then the hash alone.
  const register = await get(graphqlGetUrl(proxyUrl, { query, variables, extensions }));
  if (register.status !== 200 || register.json?.errors?.length || register.json?.data?.case?.slug !== slug) {
    fail(`the GET with the query and its hash through nginx: HTTP ${register.status}, ${register.json?.errors ? describeErrors(register.json.errors) : short(register.body)}`);
  }
  const known = await get(hashOnlyUrl);
  if (known.status !== 200 || known.json?.errors?.length) {
    if (isNotFound(known.json)) {
      throw new MissingFeature('automatic persisted queries: remembering a query registered over GET', 'the hash-only GET after it is still PersistedQueryNotFound');
    }
    fail(`the hash-only GET after registration: HTTP ${known.status}, ${known.json?.errors ? describeErrors(known.json.errors) : short(known.body)}`);
  }
  if (known.headers['x-cache-status'] === 'HIT') fail('the first successful hash-only GET was a HIT: a PersistedQueryNotFound answer had been cached');
  const cached = await get(hashOnlyUrl);
  if (cached.headers['x-cache-status'] !== 'HIT') {
    fail(`the second successful hash-only GET was ${cached.headers['x-cache-status']}, not a HIT: ${notStoredBecause(known)}`);
  }
  if (cached.json?.data?.case?.title !== known.json?.data?.case?.title) fail('the cached hash-only answer differs from the fresh one');
  return {
    text: `persisted queries through nginx: hash-only ${statuses[0]} NotFound (${unknown.headers['cache-control']}), ${statuses[1]} NotFound; ` +
      `query + hash ${statuses[2]}; hash-only ${statuses[3]}, ${statuses[4]}`,
    statuses,
  };
}
