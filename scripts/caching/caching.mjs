#!/usr/bin/env node
// Checks Casegraph's automatic persisted queries and HTTP caching with real clients and a real
// caching proxy. Run by scripts/caching.sh, which starts the server and nginx:
//
//   CACHING_SERVER_URL=http://127.0.0.1:P CACHING_PROXY_URL=http://127.0.0.1:Q \
//     CASEGRAPH_KEY=cg_… CACHING_MAX_AGE=2 node caching.mjs
//
// CACHING_SERVER_URL is the server (started with --cache-max-age $CACHING_MAX_AGE), and
// CACHING_PROXY_URL nginx in front of it (nginx.conf.template: a cache keyed on method, URI,
// Accept-Language and Accept-Encoding, bypassed with Authorization, X-Cache-Status on every
// answer). CASEGRAPH_KEY is an API key with the admin scope (the checks change case titles
// with updateCase). Every check runs, each on a published sample case of its own, whatever
// the others gave:
//   1. Apollo Client 4, PersistedQueryLink with useGETForHashedQueries (apollo.mjs);
//   2. urql with @urql/exchange-persisted preferring GET (urql.mjs);
//   3. the server's caching headers, asked directly: ETag, 304, Cache-Control, Vary,
//      compression (http-cache.mjs);
//   4. nginx as a caching proxy: HIT, the new title after max-age, REVALIDATED, languages
//      apart, never a HIT with Authorization (http-cache.mjs);
//   5. persisted queries through nginx: PersistedQueryNotFound never cached, then the
//      hash-only GET cached (http-cache.mjs).
// A check that fails because the server lacks something says "server feature missing: …".
// Prints progress on stderr, then one summary line and "caching: N passed, N failed" on
// stdout. Exit code 0 all passed, 1 a check failed, 2 setup failed (no server, no sample case).
//
// Environment: also CACHING_TIMEOUT_MS, the whole run (default 120000), and
// CACHING_NGINX_VERSION (for the summary).
import { checkApollo } from './apollo.mjs';
import { MissingFeature, SetupError, runTag, sampleSlugs, seconds, short } from './common.mjs';
import { checkNginx, checkPersistedThroughNginx, checkServerHeaders } from './http-cache.mjs';
import { checkUrql } from './urql.mjs';

const SERVER_URL = (process.env.CACHING_SERVER_URL || '').replace(/\/+$/, '');
const PROXY_URL = (process.env.CACHING_PROXY_URL || '').replace(/\/+$/, '');
const KEY = process.env.CASEGRAPH_KEY || '';
const MAX_AGE = Number(process.env.CACHING_MAX_AGE || 2);
const OVERALL_TIMEOUT_MS = Number(process.env.CACHING_TIMEOUT_MS) || 120000;
const NGINX_VERSION = process.env.CACHING_NGINX_VERSION || 'nginx';

const say = (text) => console.error(`caching: ${text}`);

async function main() {
  if (!SERVER_URL || !PROXY_URL || !KEY || !Number.isInteger(MAX_AGE) || MAX_AGE < 1) {
    throw new SetupError('CACHING_SERVER_URL, CACHING_PROXY_URL, CASEGRAPH_KEY and CACHING_MAX_AGE (whole seconds ≥ 1) must be set (scripts/caching.sh sets them)');
  }
  const slugs = await sampleSlugs(SERVER_URL);
  const tag = runTag(); // in operation names: hashes the server cannot know yet
  const context = (i) => ({ serverUrl: SERVER_URL, proxyUrl: PROXY_URL, key: KEY, maxAge: MAX_AGE, slug: slugs[i % slugs.length], tag });
  const checks = [
    ['1/5 Apollo Client 4, persisted queries over GET', checkApollo],
    ['2/5 urql, persisted queries over GET', checkUrql],
    ['3/5 the server\'s caching headers (ETag, 304, Cache-Control, Vary, compression)', checkServerHeaders],
    [`4/5 ${NGINX_VERSION} as a caching proxy`, checkNginx],
    ['5/5 persisted queries through nginx', checkPersistedThroughNginx],
  ];
  const passed = [];
  const failed = [];
  for (const [i, [title, run]] of checks.entries()) {
    say(`${title}…`);
    const started = Date.now();
    try {
      const result = await run(context(i));
      say(`${title}: ok in ${seconds(Date.now() - started)}`);
      passed.push(result.text);
    } catch (error) {
      if (error instanceof SetupError) throw error;
      say(`${title}: FAILED: ${error?.message ?? error}`);
      const why = error instanceof MissingFeature ? `server feature missing: ${error.feature}` : short(String(error?.message ?? error), 120);
      failed.push(`${title.split(' ')[0]} ${why}`);
    }
  }
  if (failed.length) {
    console.log(`caching: FAILED: ${failed.join('; ')}${passed.length ? `; passed: ${passed.join('; ')}` : ''}`);
  } else {
    console.log(`caching: passed; ${passed.join('; ')}`);
  }
  console.log(`caching: ${passed.length} passed, ${failed.length} failed`);
  return failed.length ? 1 : 0;
}

const watchdog = setTimeout(() => {
  console.error(`caching: FAILED: the checks did not finish within ${OVERALL_TIMEOUT_MS} ms`);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`caching: FAILED: interrupted (${signal})`);
    process.exit(1);
  });
}

try {
  const code = await main();
  clearTimeout(watchdog);
  process.exit(code);
} catch (error) {
  console.error(`caching: ${error instanceof SetupError ? 'setup ' : ''}FAILED: ${error?.message ?? error}`);
  process.exit(error instanceof SetupError ? 2 : 1);
}
