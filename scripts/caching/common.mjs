// Shared by the caching checks (caching.mjs): errors that name a missing server feature, the
// request recorder given to the clients as their `fetch`, raw HTTP requests (node:http: no
// header added, nothing decoded behind our back), GraphQL over HTTP, and the case the checks
// change.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';

export const REQUEST_TIMEOUT_MS = 10000; // one HTTP request

// The installed version of an npm package, for the summary.
export const packageVersion = (name) => createRequire(import.meta.url)(`${name}/package.json`).version;

// A check failed because the server lacks something the interface promises: the message
// starts with "server feature missing: FEATURE".
export class MissingFeature extends Error {
  constructor(feature, detail) {
    super(`server feature missing: ${feature}${detail ? ` (${detail})` : ''}`);
    this.feature = feature;
  }
}

// The run cannot check anything (a server that does not answer, a key refused): exit 2.
export class SetupError extends Error {}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const short = (text, max = 300) => {
  const value = typeof text === 'string' ? text : JSON.stringify(text);
  return value === undefined ? String(value) : value.length > max ? `${value.slice(0, max)}…` : value;
};
export const fail = (text) => {
  throw new Error(text);
};
export const sha256Hex = (text) => createHash('sha256').update(text, 'utf8').digest('hex');
export const runTag = () => randomBytes(3).toString('hex');
export const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

// `Cache-Control: public, max-age=2, …` as { public: true, 'max-age': '2', … }.
export function cacheControl(value) {
  const directives = {};
  for (const part of String(value ?? '').split(',')) {
    const [name, ...rest] = part.trim().split('=');
    if (name) directives[name.toLowerCase()] = rest.length ? rest.join('=').replace(/^"|"$/g, '') : true;
  }
  return directives;
}

// The header names listed by Vary (lower case).
export const varyNames = (value) =>
  String(value ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);

// ---------------------------------------------------------------------------------------------
// GraphQL requests as the wire shows them

// The GraphQL parameters of a recorded request: from the URL for GET, the JSON body for POST.
export function graphqlParams(method, url, body) {
  const params = { query: undefined, variables: undefined, operationName: undefined, extensions: undefined };
  if (method === 'GET') {
    const search = new URL(url).searchParams;
    params.query = search.get('query') ?? undefined;
    params.operationName = search.get('operationName') ?? undefined;
    for (const name of ['variables', 'extensions']) {
      const raw = search.get(name);
      if (raw !== null) {
        try {
          params[name] = JSON.parse(raw);
        } catch {
          params[name] = raw;
        }
      }
    }
    return params;
  }
  try {
    return { ...params, ...JSON.parse(typeof body === 'string' ? body : '') };
  } catch {
    return params;
  }
}

// What an answer's errors say, for messages: "message [CODE]; …".
export const describeErrors = (errors) =>
  (errors ?? []).map((error) => `${error?.message} [${error?.extensions?.code ?? 'no code'}]`).join('; ');

export const isNotFound = (json) =>
  json?.errors?.some((error) => error?.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND' || error?.message === 'PersistedQueryNotFound');

// A hash-only request was not answered with PersistedQueryNotFound: what the server lacks.
export function persistedQueryNotFoundProblem(entry, client) {
  const errors = entry.json?.errors ?? [];
  const byCode = errors.find((error) => error?.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND');
  const byMessage = errors.find((error) => error?.message === 'PersistedQueryNotFound');
  if (byCode && byMessage) return null;
  if (byCode || byMessage) {
    return new MissingFeature(
      'automatic persisted queries: the error for an unknown hash must have both message "PersistedQueryNotFound" and extensions.code "PERSISTED_QUERY_NOT_FOUND"',
      `${client} got ${short(describeErrors(errors))}; urql matches on the message, Apollo on either`,
    );
  }
  if (entry.json?.data && !errors.length) {
    return new Error(
      `the first request (only the hash ${entry.hash?.slice(0, 12)}…) was answered with data: the server already knew a query ` +
        'that this run made unique, or it answers hash-only requests without looking the hash up',
    );
  }
  return new MissingFeature(
    'automatic persisted queries (Apollo protocol)',
    `${client} sent ${entry.method} with only extensions.persistedQuery.sha256Hash and got HTTP ${entry.status} ` +
      `${errors.length ? describeErrors(errors) : short(entry.text)}, not PersistedQueryNotFound / PERSISTED_QUERY_NOT_FOUND`,
  );
}

// ---------------------------------------------------------------------------------------------
// A `fetch` that records every request and its answer, for the clients

// Returns { fetch, log }: each entry { method, url, body, params, hash, hashOnly, status,
// headers (lower-case names), text, json }. The answer is read from a clone; the client reads
// the original.
export function recordingFetch() {
  const log = [];
  const recorder = async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET')).toUpperCase();
    const body = typeof init.body === 'string' ? init.body : init.body == null ? undefined : String(init.body);
    const params = graphqlParams(method, url, body);
    const hash = params.extensions?.persistedQuery?.sha256Hash;
    const entry = {
      method,
      url,
      body,
      params,
      hash,
      hashOnly: Boolean(hash) && params.query === undefined,
      status: null,
      headers: {},
      text: '',
      json: null,
    };
    log.push(entry);
    const response = await fetch(input, { ...init, signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    entry.status = response.status;
    response.headers.forEach((value, name) => {
      entry.headers[name] = value;
    });
    entry.text = await response.clone().text();
    try {
      entry.json = JSON.parse(entry.text);
    } catch {
      entry.json = null;
    }
    return response;
  };
  return { fetch: recorder, log };
}

// One line per recorded request, for failure messages.
export function describeLog(log, from = 0) {
  return log
    .slice(from)
    .map((entry, i) => {
      const what = entry.hashOnly ? 'hash only' : entry.params.query ? `query + ${entry.hash ? 'hash' : 'no hash'}` : 'no query, no hash';
      const answer = entry.json?.errors?.length
        ? `errors ${short(describeErrors(entry.json.errors), 160)}`
        : entry.json?.data
          ? 'data'
          : short(entry.text, 120);
      return `#${from + i + 1} ${entry.method} (${what}) → ${entry.status ?? 'no answer'} ${answer}`;
    })
    .join('; ');
}

export const methodCounts = (log) => {
  const counts = {};
  for (const entry of log) counts[entry.method] = (counts[entry.method] ?? 0) + 1;
  return Object.entries(counts)
    .map(([method, count]) => `${method} ${count}`)
    .join(', ');
};

// ---------------------------------------------------------------------------------------------
// Raw HTTP (node:http): exactly the headers given, the body as sent, decoded here

function decode(encoding, raw) {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case '':
    case 'identity':
      return raw;
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(raw);
    case 'deflate':
      return zlib.inflateSync(raw);
    case 'br':
      return zlib.brotliDecompressSync(raw);
    case 'zstd':
      if (typeof zlib.zstdDecompressSync === 'function') return zlib.zstdDecompressSync(raw);
      throw new Error(`this node (${process.version}) cannot decode zstd`);
    default:
      throw new Error(`unknown Content-Encoding ${encoding}`);
  }
}

// { status, headers (lower-case, repeated ones joined with ", "), raw, body (decoded text),
// json, encoding, at (when the answer ended) }.
// With `decode: false` the body is left as sent (body: null, json: null).
export function request(url, { method = 'GET', headers = {}, body, decode: decoding = true } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const headersOut = {};
        for (const [name, value] of Object.entries(res.headers)) {
          headersOut[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const encoding = headersOut['content-encoding'];
        if (!decoding) {
          resolve({ status: res.statusCode, headers: headersOut, raw, body: null, json: null, encoding, at: Date.now() });
          return;
        }
        let text;
        try {
          text = decode(encoding, raw).toString('utf8');
        } catch (error) {
          reject(new Error(`${method} ${url}: the body (Content-Encoding ${encoding}, ${raw.length} bytes) does not decode: ${error.message}`));
          return;
        }
        let json = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode, headers: headersOut, raw, body: text, json, encoding, at: Date.now() });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (error) => reject(new Error(`${method} ${url} failed: ${error.message}`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// The URL of a GraphQL GET request (JSON-encoded variables and extensions).
export function graphqlGetUrl(base, { query, variables, operationName, extensions }) {
  const url = new URL(`${base}/graphql`);
  if (query !== undefined) url.searchParams.set('query', query);
  if (operationName !== undefined) url.searchParams.set('operationName', operationName);
  if (variables !== undefined) url.searchParams.set('variables', JSON.stringify(variables));
  if (extensions !== undefined) url.searchParams.set('extensions', JSON.stringify(extensions));
  return url.href;
}

export const ACCEPT = 'application/graphql-response+json, application/json';

// POST /graphql with JSON; returns data, fails on HTTP errors or GraphQL errors. `key`: an
// API key for Authorization, or null for an anonymous request.
export async function graphqlPost(base, key, query, variables) {
  const url = `${base}/graphql`;
  const headers = { 'content-type': 'application/json', accept: ACCEPT, 'accept-language': 'en' };
  if (key) headers.authorization = `Bearer ${key}`;
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new Error(`POST ${url} failed: ${error?.cause?.message ?? error?.message ?? error}`);
  }
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`POST ${url}: HTTP ${response.status}, not JSON: ${short(text)}`);
  }
  if (!response.ok || body.errors?.length) {
    throw new Error(`POST ${url}: HTTP ${response.status}, ${short(JSON.stringify(body))}`);
  }
  return { data: body.data, cacheControl: response.headers.get('cache-control') };
}

// ---------------------------------------------------------------------------------------------
// The cases: published samples, each check changing the title of its own

const CASES = '{ cases(first: 8) { nodes { slug } } }';
const CASE_ID = 'query CaseId($slug: String!) { case(slug: $slug) { id version title } }';
const UPDATE_CASE = `mutation U($input: UpdateCaseInput!) {
  updateCase(input: $input) { case { version title } userErrors { field code message } }
}`;

// Published sample slugs, as an anonymous visitor sees them.
export async function sampleSlugs(base) {
  let data;
  try {
    ({ data } = await graphqlPost(base, null, CASES));
  } catch (error) {
    throw new SetupError(`cannot list the published cases: ${error.message}`);
  }
  const slugs = (data?.cases?.nodes ?? []).map((node) => node.slug).filter(Boolean);
  if (!slugs.length) throw new SetupError('the server lists no published case (the sample set should be loaded on an empty database)');
  return slugs;
}

// Changes the case's English title through the API (admin key, POST): { title, version,
// cacheControl (of the mutation's answer) }.
export async function changeTitle(base, key, slug, tag) {
  const { data } = await graphqlPost(base, key, CASE_ID, { slug });
  const found = data?.case;
  if (!found?.id) fail(`case ${slug} not found with the admin key`);
  const title = `[Sample] Changed ${tag} ${runTag()}`;
  const { data: changed, cacheControl: mutationCacheControl } = await graphqlPost(base, key, UPDATE_CASE, {
    input: { id: found.id, expectedVersion: found.version, translations: [{ locale: 'en', title }] },
  });
  const payload = changed?.updateCase;
  if (payload?.userErrors?.length) fail(`updateCase refused: ${JSON.stringify(payload.userErrors)}`);
  if (payload?.case?.title !== title) fail(`updateCase answered the title ${JSON.stringify(payload?.case?.title)}, not ${JSON.stringify(title)}`);
  return { title, version: payload.case.version, previous: found.title, cacheControl: mutationCacheControl };
}
