// Check 1: Apollo Client 4 with its PersistedQueryLink (sha256 from node:crypto,
// useGETForHashedQueries) over an HttpLink whose `fetch` records every request.
//   a. the first query: a GET with only the hash, answered PersistedQueryNotFound, then the
//      link's retry with the full query and the hash (a POST, as Apollo does), answered with data;
//   b. the same query again (network-only): one GET with only the hash (no `query` in the URL),
//      answered with the same case;
//   c. after the case's title is changed through the API: one GET with only the hash, answered
//      with the new title.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
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

export const APOLLO_VERSION = packageVersion('@apollo/client');

// Runs a query through the client; returns { data, entries (the requests it made) }.
async function run(client, log, document, variables, step) {
  const from = log.length;
  let result;
  try {
    result = await client.query({ query: document, variables, fetchPolicy: 'network-only' });
  } catch (error) {
    throw Object.assign(new Error(`${step}: the query failed: ${error?.message ?? error}`), { from });
  }
  return { data: result.data, error: result.error, entries: log.slice(from), from };
}

export async function checkApollo({ serverUrl, key, slug, tag }) {
  const { fetch, log } = recordingFetch();
  const persisted = new PersistedQueryLink({ sha256: sha256Hex, useGETForHashedQueries: true });
  const client = new ApolloClient({
    link: ApolloLink.from([persisted, new HttpLink({ uri: `${serverUrl}/graphql`, fetch, headers: { 'accept-language': 'en' } })]),
    cache: new InMemoryCache(),
  });
  // An operation name of this run: the server cannot know its hash yet.
  const document = gql(`query ApolloCaseTitle_${tag}($slug: String!) { case(slug: $slug) { slug title version updatedAt } }`);
  const variables = { slug };
  const explain = (text, from = 0) => `${text}; requests: ${describeLog(log, from)}`;

  try {
    // a. Unknown hash, then the full query.
    const first = await run(client, log, document, variables, 'first query').catch((error) => {
      const [miss] = log.slice(error.from ?? 0);
      const problem = miss && persistedQueryNotFoundProblem(miss, 'Apollo');
      throw problem ? Object.assign(problem, { message: explain(problem.message) }) : new Error(explain(error.message));
    });
    const [miss, retry] = first.entries;
    if (!miss?.hashOnly || miss.method !== 'GET') {
      fail(explain('the first request was not a GET with only the persisted-query hash (the link is not doing its part)'));
    }
    const problem = persistedQueryNotFoundProblem(miss, 'Apollo');
    if (problem) throw Object.assign(problem, { message: explain(problem.message) });
    if (!retry || !retry.params.query || retry.hash !== miss.hash) {
      fail(explain('after PersistedQueryNotFound the link did not retry with the full query and the same hash'));
    }
    if (sha256Hex(retry.params.query) !== retry.hash) fail(explain('the client sent a hash that is not the sha256 of its query text'));
    if (retry.json?.errors?.length) {
      const codes = retry.json.errors.map((error) => error?.extensions?.code);
      if (codes.includes('BAD_USER_INPUT') || codes.includes('PERSISTED_QUERY_NOT_FOUND')) {
        throw new MissingFeature(
          'automatic persisted queries: registering a query sent with its hash',
          explain(`the ${retry.method} with the query and its sha256 was refused: ${describeErrors(retry.json.errors)}; the hash is over the query text exactly as sent`),
        );
      }
      fail(explain(`the retry with the full query was answered with errors: ${describeErrors(retry.json.errors)}`));
    }
    if (first.entries.length !== 2) fail(explain(`the first query took ${first.entries.length} requests, expected 2 (hash only, then query + hash)`));
    const before = first.data?.case;
    if (before?.slug !== slug) fail(explain(`the first query answered ${short(JSON.stringify(first.data))}, not the case ${slug}`));

    // b. The hash alone, over GET.
    const second = await run(client, log, document, variables, 'second query').catch((error) => {
      throw new Error(explain(error.message, error.from));
    });
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
    if (hit.status !== 200 || hit.json?.errors?.length) fail(explain(`the hash-only GET was answered HTTP ${hit.status}`, first.from));
    if (second.data?.case?.title !== before.title) {
      fail(explain(`the hash-only GET answered the title ${JSON.stringify(second.data?.case?.title)}, expected ${JSON.stringify(before.title)}`, first.from));
    }

    // c. A change, then the hash alone again: the new title.
    const changed = await changeTitle(serverUrl, key, slug, 'apollo');
    const third = await run(client, log, document, variables, 'query after the change').catch((error) => {
      throw new Error(explain(error.message, second.from));
    });
    const [after] = third.entries;
    if (third.entries.length !== 1 || !after.hashOnly || after.method !== 'GET') {
      fail(explain(`the query after the change took ${third.entries.length} requests, expected one GET with only the hash`, second.from));
    }
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
        `Apollo Client ${APOLLO_VERSION}: ${log.length} requests (${methodCounts(log)}): hash-only GET → PersistedQueryNotFound, ` +
        `${retry.method} with the query, then hash-only GETs (Cache-Control "${hit.headers['cache-control'] ?? 'none'}", ` +
        `ETag ${hit.headers.etag ? 'yes' : 'no'}, ${encodings}); new title seen after the change`,
    };
  } finally {
    client.stop();
  }
}
