// Check 2: urql (@urql/core, the client the `urql` bindings re-export) with
// @urql/exchange-persisted (preferGetForPersistedQueries, generateHash: sha256 from
// node:crypto) in front of fetchExchange, whose `fetch` records every request.
//   a. the first query: a GET with only the hash, answered PersistedQueryNotFound (urql matches
//      on the message), then the exchange's retry with the full query and the hash (a GET too;
//      its extensions carry `"miss": true`, which the server must ignore), answered with data;
//   b. the same query again (network-only): one GET with only the hash, the same case;
//   c. after the case's title is changed through the API: one GET with only the hash, the new
//      title.
import { Client, fetchExchange, gql } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import {
  MissingFeature,
  changeTitle,
  describeErrors,
  describeLog,
  fail,
  isNotFound,
  methodCounts,
  packageVersion,
  persistedQueryNotFoundProblem,
  recordingFetch,
  sha256Hex,
  short,
} from './common.mjs';

export const URQL_VERSION = packageVersion('@urql/core');
export const URQL_PERSISTED_VERSION = packageVersion('@urql/exchange-persisted');

export async function checkUrql({ serverUrl, key, slug, tag }) {
  const { fetch, log } = recordingFetch();
  const client = new Client({
    url: `${serverUrl}/graphql`,
    exchanges: [
      persistedExchange({ preferGetForPersistedQueries: true, generateHash: async (query) => sha256Hex(query) }),
      fetchExchange,
    ],
    fetch,
    fetchOptions: { headers: { 'accept-language': 'en' } },
    requestPolicy: 'network-only',
  });
  const document = gql(`query UrqlCaseTitle_${tag}($slug: String!) { case(slug: $slug) { slug title version updatedAt } }`);
  const variables = { slug };
  const explain = (text, from = 0) => `${text}; requests: ${describeLog(log, from)}`;
  const run = async () => {
    const from = log.length;
    const result = await client.query(document, variables, { requestPolicy: 'network-only' }).toPromise();
    return { data: result.data, error: result.error, entries: log.slice(from), from };
  };

  // a. Unknown hash, then the full query.
  const first = await run();
  const [miss, retry] = first.entries;
  if (!miss) fail(`the first query sent no request: ${first.error?.message ?? 'no error'}`);
  if (!miss.hashOnly || miss.method !== 'GET') {
    fail(explain('the first request was not a GET with only the persisted-query hash (the exchange is not doing its part)'));
  }
  const problem = persistedQueryNotFoundProblem(miss, 'urql');
  if (problem) throw Object.assign(problem, { message: explain(problem.message) });
  if (!retry || !retry.params.query || retry.hash !== miss.hash) {
    fail(explain('after PersistedQueryNotFound the exchange did not retry with the full query and the same hash'));
  }
  if (sha256Hex(retry.params.query) !== retry.hash) fail(explain('the client sent a hash that is not the sha256 of its query text'));
  if (retry.json?.errors?.length) {
    const codes = retry.json.errors.map((error) => error?.extensions?.code);
    if (codes.includes('BAD_USER_INPUT') || codes.includes('BAD_REQUEST') || codes.includes('PERSISTED_QUERY_NOT_FOUND')) {
      throw new MissingFeature(
        'automatic persisted queries: registering a query sent with its hash over GET',
        explain(
          `urql's ${retry.method} with the query and extensions ${short(JSON.stringify(retry.params.extensions))} was refused: ` +
            `${describeErrors(retry.json.errors)} (the extra "miss": true must be ignored; the hash is over the query text exactly as sent)`,
        ),
      );
    }
    fail(explain(`the retry with the full query was answered with errors: ${describeErrors(retry.json.errors)}`));
  }
  if (first.error) fail(explain(`the first query failed: ${first.error.message}`));
  if (first.entries.length !== 2) fail(explain(`the first query took ${first.entries.length} requests, expected 2 (hash only, then query + hash)`));
  const before = first.data?.case;
  if (before?.slug !== slug) fail(explain(`the first query answered ${short(JSON.stringify(first.data))}, not the case ${slug}`));

  // b. The hash alone, over GET.
  const second = await run();
  const [hit] = second.entries;
  if (second.entries.length !== 1 || !hit.hashOnly || hit.method !== 'GET') {
    if (hit && isNotFound(hit.json)) {
      throw new MissingFeature(
        'automatic persisted queries: remembering a registered query',
        explain(`the hash ${hit.hash?.slice(0, 12)}… registered by the previous request is unknown again`, first.from),
      );
    }
    fail(explain(`the second query took ${second.entries.length} requests, expected one GET with only the hash`, first.from));
  }
  if (new URL(hit.url).searchParams.has('query')) fail(explain('the second GET carries a `query` parameter', first.from));
  if (second.error || hit.status !== 200) {
    fail(explain(`the hash-only GET failed: HTTP ${hit.status} ${second.error?.message ?? ''}`, first.from));
  }
  if (second.data?.case?.title !== before.title) {
    fail(explain(`the hash-only GET answered the title ${JSON.stringify(second.data?.case?.title)}, expected ${JSON.stringify(before.title)}`, first.from));
  }

  // c. A change, then the hash alone again: the new title.
  const changed = await changeTitle(serverUrl, key, slug, 'urql');
  const third = await run();
  const [after] = third.entries;
  if (third.entries.length !== 1 || !after.hashOnly || after.method !== 'GET') {
    fail(explain(`the query after the change took ${third.entries.length} requests, expected one GET with only the hash`, second.from));
  }
  if (third.error) fail(explain(`the query after the change failed: ${third.error.message}`, second.from));
  if (third.data?.case?.title !== changed.title) {
    fail(
      explain(
        `after updateCase the hash-only GET answered the title ${JSON.stringify(third.data?.case?.title)}, expected ${JSON.stringify(changed.title)} ` +
          `(its Cache-Control: ${after.headers['cache-control'] ?? 'none'})`,
        second.from,
      ),
    );
  }
  const encodings = [...new Set(log.map((entry) => entry.headers['content-encoding'] ?? 'identity'))].join('/');
  return {
    text:
      `urql ${URQL_VERSION} + exchange-persisted ${URQL_PERSISTED_VERSION}: ${log.length} requests (${methodCounts(log)}): ` +
      `hash-only GET → PersistedQueryNotFound, ${retry.method} with the query, then hash-only GETs (${encodings}); new title seen after the change`,
  };
}
