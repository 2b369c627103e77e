#!/usr/bin/env node
// Checks Casegraph's webhooks end to end against real servers: deliveries signed per Standard
// Webhooks (every one verified by the receiver with the `standardwebhooks` package, see
// receiver.mjs), retried on failure, kept across a crash, sent once by two replicas, and
// SSRF targets refused. Run by scripts/webhooks.sh, which prepares what it needs:
//
//   CASEGRAPH_BIN=… WEBHOOKS_DIR=… WEBHOOKS_PG_URL=postgres://… node webhooks.mjs
//
// This script starts (and kills) the servers itself, since check 2 kills one at a chosen
// moment: `$CASEGRAPH_BIN serve --bind 127.0.0.1:<free port> --no-samples …`, each on a
// database of its own (SQLite files in WEBHOOKS_DIR, or the PostgreSQL database
// WEBHOOKS_PG_URL), logging to WEBHOOKS_DIR/server-<name>.log; the ids of the servers running
// are kept in WEBHOOKS_DIR/servers.pids for the shell's cleanup should this process die. API
// keys and webhooks are created with `casegraph keys create` and `casegraph webhooks create`
// (their stderr: WEBHOOKS_DIR/cli.log); the receiver logs each request to
// WEBHOOKS_DIR/receiver.log. The checks, in order (the first failure ends the run):
//   1. retries (SQLite; --webhook-allow-private-targets --webhook-retry-seconds 0.3 ×6): the
//      receiver answers 500 to the first 3 attempts of each webhook-id, then 204. A case
//      created (a draft) then published must be delivered as one message, case.created with the
//      case's id, slug and version, cause PUBLISHED, in exactly 4 verified attempts no closer
//      than the retry wait allows (0.3 s − 20 % jitter), accepted once, within 15 s of the
//      publishCase response; nothing for the draft.
//   2. a crash (SQLite; retry waits 3,0.3,0.3,0.3): the receiver answers 500 to the first
//      attempt; 1 s after it (so the server has recorded the failure: the retry is due 2.4 s
//      at the earliest), the server is killed with SIGKILL and started again on the same
//      database and flags; the message must then be accepted exactly once within 20 s of the
//      restart.
//   3. two replicas on one PostgreSQL database (retry waits 0.3 ×3), the receiver answering 204
//      after 0-50 ms: 20 cases, each created through one replica and published through the
//      other (alternating); each publication must be accepted exactly once (by webhook-id
//      and by data.slug), within 30 s of its publishCase response, nothing else delivered.
//   4. SSRF (SQLite, a server without --webhook-allow-private-targets): createWebhook over
//      GraphQL with a loopback, a link-local (cloud metadata) or a localhost URL, over http://
//      and https://, must answer userErrors and no webhook; a public https:// URL (an IP
//      literal: no DNS lookup) must be accepted, with a whsec_ secret; `casegraph webhooks
//      create` without --allow-private-targets must refuse a loopback URL.
// Every delivery received in any check must verify and be well formed (receiver.mjs).
// Prints progress on stderr and one summary line on stdout. Exit code 0 passed, 1 a check
// failed (the message says which), 2 setup failed (a server that does not start, a key).
//
// Environment: CASEGRAPH_BIN, WEBHOOKS_DIR, WEBHOOKS_PG_URL (all required), WEBHOOKS_TIMEOUT_MS
// (the whole run, default 240000).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { startReceiver, STANDARDWEBHOOKS_VERSION } from './receiver.mjs';

const BIN = process.env.CASEGRAPH_BIN || '';
const DIR = process.env.WEBHOOKS_DIR || '';
const PG_URL = process.env.WEBHOOKS_PG_URL || '';
const OVERALL_TIMEOUT_MS = Number(process.env.WEBHOOKS_TIMEOUT_MS) || 240000;

const READY_TIMEOUT_MS = 60000; // a server's /readyz
const CLI_TIMEOUT_MS = 60000; // one `casegraph keys|webhooks create`
const REQUEST_TIMEOUT_MS = 10000; // one GraphQL request
const STOP_TIMEOUT_MS = 10000; // SIGTERM, then SIGKILL
const JITTER = 0.2; // the server spreads each retry wait by ±20 %
const GAP_SLACK_MS = 50; // timer and connection slack when comparing gaps with waits

const RETRIES = { waits: [0.3, 0.3, 0.3, 0.3, 0.3, 0.3], failFirst: 3, withinMs: 15000, quietMs: 1500 };
const CRASH = { waits: [3, 0.3, 0.3, 0.3], firstWithinMs: 15000, killAfterMs: 1000, withinMs: 20000, quietMs: 2000 };
const REPLICAS = { waits: [0.3, 0.3, 0.3], cases: 20, delayMs: [0, 50], withinMs: 30000, quietMs: 1500 };
const SSRF_REFUSED = [
  'http://127.0.0.1:9/hook',
  'http://169.254.169.254/latest/meta-data',
  // Over https:// too, which the server's form check lets through: the address check refuses.
  'https://127.0.0.1:9/hook',
  'https://169.254.169.254/latest/meta-data',
  'https://localhost:9/hook',
];
const SSRF_ALLOWED = 'https://1.1.1.1/casegraph-ci-webhook-check'; // never called: no events
const SSRF_CLI_REFUSED = 'http://127.0.0.1:9/hook';

const CREATE_CASE = `mutation C($input: CreateCaseInput!) {
  createCase(input: $input) { case { id version } userErrors { field code message } }
}`;
const PUBLISH_CASE = `mutation P($input: CaseVersionInput!) {
  publishCase(input: $input) { case { id status version } userErrors { field code message } }
}`;
const CREATE_WEBHOOK = `mutation W($input: CreateWebhookInput!) {
  createWebhook(input: $input) { webhook { id url } secret userErrors { field code message } }
}`;

// ---------------------------------------------------------------------------------------------
// Small helpers

class SetupError extends Error {}

const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const short = (text, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text);
const say = (text) => console.error(`webhooks: ${text}`);
const fail = (text) => {
  throw new Error(text);
};
const newSlug = (tag) => `sample-hook-${tag}-${randomBytes(4).toString('hex')}`;
const sqliteUrl = (name) => `sqlite://${join(DIR, `${name}.db`)}?mode=rwc`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

// Resolves with the promise, or rejects with `message` after `ms`.
function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// The casegraph binary: commands and servers

// The servers' environment: the database given, and no CASEGRAPH_WEBHOOK_* settings from
// outside (e.g. CASEGRAPH_WEBHOOK_ALLOW_PRIVATE_TARGETS would defeat check 4): only the flags
// of each check count.
function binaryEnv(databaseUrl) {
  const env = { ...process.env, DATABASE_URL: databaseUrl };
  for (const name of Object.keys(env)) if (name.startsWith('CASEGRAPH_WEBHOOK_')) delete env[name];
  return env;
}

// Runs `casegraph ARGS` on a database: { code, stdout, stderr } (stderr also to cli.log).
function cli(args, databaseUrl) {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: binaryEnv(databaseUrl), timeout: CLI_TIMEOUT_MS, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      const code = error ? (error.killed ? `killed after ${CLI_TIMEOUT_MS} ms` : error.code ?? error.message) : 0;
      appendFileSync(join(DIR, 'cli.log'), `$ casegraph ${args.join(' ')}   (exit ${code})\n${stderr}`);
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function createKey(databaseUrl) {
  const { code, stdout, stderr } = await cli(['keys', 'create', '--name', 'webhooks-ci', '--scopes', 'read,read:drafts,write,admin'], databaseUrl);
  const key = stdout.trim();
  if (code !== 0 || !key || key.includes('\n')) {
    throw new SetupError(`\`casegraph keys create\` failed (exit ${code}): ${short(stderr.trim() || stdout)}`);
  }
  return key;
}

// `casegraph webhooks create --url URL [--allow-private-targets]`: the secret it printed, checked.
async function createWebhookCli(databaseUrl, url) {
  const { code, stdout, stderr } = await cli(['webhooks', 'create', '--url', url, '--allow-private-targets'], databaseUrl);
  const secret = stdout.trim();
  if (code !== 0) fail(`\`casegraph webhooks create --url ${url} --allow-private-targets\` failed (exit ${code}): ${short(stderr.trim())}`);
  if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
    fail(`\`casegraph webhooks create\` printed ${JSON.stringify(short(stdout, 120))} on stdout, not one line whsec_<base64>`);
  }
  try {
    new Webhook(secret); // eslint-disable-line no-new
  } catch (error) {
    fail(`the secret printed by \`casegraph webhooks create\` is not one standardwebhooks accepts: ${error.message}`);
  }
  return secret;
}

// Servers running, by pid, written to servers.pids on every change.
const running = new Map();
const recordPids = () => writeFileSync(join(DIR, 'servers.pids'), [...running.keys()].map((pid) => `${pid}\n`).join(''));

// Loopback ports free now (held together while choosing, so they differ).
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = net.createServer();
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      servers.push(server);
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

// Starts `casegraph serve` on a free port and waits for /readyz. Returns
// { name, url, startedAt, readyAt, kill(signal), stop() }.
async function startServer(name, databaseUrl, flags) {
  const [port] = await freePorts(1);
  const args = ['serve', '--bind', `127.0.0.1:${port}`, '--no-samples', ...flags];
  const log = openSync(join(DIR, `server-${name}.log`), 'a');
  writeSync(log, `--- ${new Date().toISOString()} casegraph ${args.join(' ')}\n`);
  const child = spawn(BIN, args, { env: binaryEnv(databaseUrl), stdio: ['ignore', log, log] });
  closeSync(log);
  const startedAt = now();
  let exited = null;
  let spawnError = null;
  const exit = new Promise((resolve) => {
    child.once('error', (error) => {
      spawnError = error;
      resolve();
    });
    child.once('exit', (code, signal) => {
      exited = signal ? `killed by ${signal}` : `exit ${code}`;
      running.delete(child.pid);
      recordPids();
      resolve();
    });
  });
  if (child.pid) {
    running.set(child.pid, child);
    recordPids();
  }
  const url = `http://127.0.0.1:${port}`;
  const server = {
    name,
    url,
    startedAt,
    readyAt: null,
    kill: async (signal) => {
      if (!exited) child.kill(signal);
      await exit;
    },
    stop: async () => {
      if (exited || spawnError) return;
      child.kill('SIGTERM');
      await Promise.race([exit, sleep(STOP_TIMEOUT_MS)]);
      if (!exited) await server.kill('SIGKILL');
    },
  };
  for (;;) {
    if (spawnError) throw new SetupError(`cannot start ${BIN}: ${spawnError.message}`);
    if (exited) throw new SetupError(`server ${name} ended (${exited}) before it was ready on ${url}: see server-${name}.log`);
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (now() - startedAt > READY_TIMEOUT_MS) {
      await server.stop();
      throw new SetupError(`server ${name} was not ready on ${url} within ${READY_TIMEOUT_MS} ms: see server-${name}.log`);
    }
    await sleep(100);
  }
  server.readyAt = now();
  return server;
}

const retryFlags = (waits, allowPrivate = true) => [
  ...(allowPrivate ? ['--webhook-allow-private-targets'] : []),
  '--webhook-retry-seconds',
  waits.join(','),
];

// ---------------------------------------------------------------------------------------------
// GraphQL over HTTP

async function graphql(base, key, query, variables) {
  const url = `${base}/graphql`;
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        authorization: `Bearer ${key}`,
      },
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
  return body.data;
}

// A payload mutation's payload; userErrors fail unless `refusable`.
async function mutate(base, key, field, query, input, { refusable = false } = {}) {
  const payload = (await graphql(base, key, query, { input }))?.[field];
  if (!payload) fail(`${field}: no payload in the answer`);
  if (!refusable && payload.userErrors?.length) fail(`${field} refused: ${JSON.stringify(payload.userErrors)}`);
  return payload;
}

function caseInput(slug) {
  return {
    slug,
    collection: 'wic-cbec-2025',
    category: 'logistics-integration',
    isSample: true,
    translations: [{ locale: 'en', title: '[Sample] Webhook check' }],
  };
}

// Creates a draft through `createVia` and publishes it through `publishVia`:
// { slug, id, version (after publication), publishedAt (the publishCase response) }.
async function createAndPublish(createVia, publishVia, key, slug) {
  const created = (await mutate(createVia.url, key, 'createCase', CREATE_CASE, caseInput(slug))).case;
  if (!created?.id) fail(`createCase ${slug} (through ${createVia.name}): no case in the payload`);
  const published = (
    await mutate(publishVia.url, key, 'publishCase', PUBLISH_CASE, { id: created.id, expectedVersion: created.version ?? 1 })
  ).case;
  const publishedAt = now();
  if (published?.status !== 'PUBLISHED') fail(`publishCase ${slug} (through ${publishVia.name}): the case is ${published?.status}, not PUBLISHED`);
  return { slug, id: created.id, version: published.version, publishedAt };
}

// How a delivered event differs from the publication of `expected` (as createAndPublish gave it).
function eventMismatches(payload, expected) {
  const data = payload?.data ?? {};
  const wanted = {
    type: [payload?.type, 'case.created'],
    'data.slug': [data.slug, expected.slug],
    'data.id': [data.id, expected.id],
    'data.subjectType': [data.subjectType, 'CASE'],
    'data.kind': [data.kind, 'CREATED'],
    'data.cause': [data.cause, 'PUBLISHED'],
  };
  if (typeof expected.version === 'number') wanted['data.version'] = [data.version, expected.version];
  return Object.entries(wanted)
    .filter(([, [got, want]]) => got !== want)
    .map(([field, [got, want]]) => `${field} ${JSON.stringify(got)} (expected ${JSON.stringify(want)})`);
}

function requireWellFormed(hook) {
  if (hook.problems.length) {
    fail(`${hook.problems.length} malformed or unverified deliveries: ${hook.problems.slice(0, 10).join('; ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The checks

async function checkRetries(receiver) {
  const db = sqliteUrl('retries');
  const key = await createKey(db);
  const server = await startServer('retries', db, retryFlags(RETRIES.waits));
  try {
    // Created while the server runs: it must find the webhook in the database.
    const path = '/hook/retries';
    const secret = await createWebhookCli(db, receiver.url(path));
    const hook = receiver.route(path, { secret, failFirst: RETRIES.failFirst });
    const expected = await createAndPublish(server, server, key, newSlug('retries'));
    const attemptsWanted = RETRIES.failFirst + 1;

    await hook.waitUntil(
      (h) => h.accepted().length > 0,
      expected.publishedAt + RETRIES.withinMs,
      `the publication of ${expected.slug} was not accepted within ${seconds(RETRIES.withinMs)} of publishCase ` +
        `(the receiver answers 500 to the first ${RETRIES.failFirst} attempts of each webhook-id; retry waits ${RETRIES.waits.join(',')} s)`,
    );
    await sleep(RETRIES.quietMs); // for a late duplicate or a stray event to show
    requireWellFormed(hook);

    const messages = hook.messages();
    if (messages.length !== 1) {
      const draft = messages.some((m) => m.payload?.data?.slug === expected.slug && m.payload?.data?.cause === 'CREATED');
      fail(
        `expected one message (the publication of ${expected.slug}), got ${messages.length}` +
          (draft ? ' including the draft\'s creation (a webhook without --include-drafts must not see drafts)' : '') +
          `; received: ${hook.describe()}`,
      );
    }
    const [message] = messages;
    const mismatches = eventMismatches(message.payload, expected);
    if (mismatches.length) fail(`the event differs: ${mismatches.join(', ')}; body ${short(message.attempts[0].body)}`);
    if (message.accepted !== 1) fail(`${message.id} was accepted ${message.accepted} times (delivered again after a 2xx); received: ${hook.describe()}`);
    if (message.verified !== attemptsWanted) {
      fail(`${message.id} came in ${message.verified} attempts, expected ${attemptsWanted} (${RETRIES.failFirst} answered 500, then 204); received: ${hook.describe()}`);
    }
    const gaps = message.attempts.slice(1).map((attempt, i) => attempt.at - message.attempts[i].at);
    gaps.forEach((gap, i) => {
      if (gap < RETRIES.waits[i] * 1000 * (1 - JITTER) - GAP_SLACK_MS) {
        fail(`attempt ${i + 2} came ${seconds(gap)} after attempt ${i + 1}, sooner than the retry wait allows (${RETRIES.waits[i]} s − ${JITTER * 100} %)`);
      }
    });
    const latency = message.acceptedAt[0] - expected.publishedAt;
    return {
      text: `retries: ${message.verified} verified attempts of ${message.id} (500 ×${RETRIES.failFirst}, 204), ` +
        `${gaps.map((gap) => (gap / 1000).toFixed(2)).join('/')} s apart, accepted once ${seconds(latency)} after publishCase, nothing for the draft`,
      verified: hook.verifiedCount(),
    };
  } finally {
    await server.stop();
  }
}

async function checkCrash(receiver) {
  const db = sqliteUrl('crash');
  const key = await createKey(db);
  // Created before the server starts, this time.
  const path = '/hook/crash';
  const secret = await createWebhookCli(db, receiver.url(path));
  const hook = receiver.route(path, { secret, failFirst: 1 });
  const flags = retryFlags(CRASH.waits);
  let server = await startServer('crash', db, flags);
  try {
    const expected = await createAndPublish(server, server, key, newSlug('crash'));
    await hook.waitUntil(
      (h) => h.attempts.some((attempt) => attempt.answered || attempt.aborted),
      expected.publishedAt + CRASH.firstWithinMs,
      `no delivery of ${expected.slug} within ${seconds(CRASH.firstWithinMs)} of publishCase`,
    );
    const first = hook.attempts[0];
    if (!first.valid || first.status !== 500) fail(`the first delivery was not a verified attempt answered 500; received: ${hook.describe()}`);
    const firstLatency = first.at - expected.publishedAt;

    // Kill once the server has had the time to record the failed attempt (one it has not
    // recorded stays leased to the dead process, 60 s in the server as written): its retry is
    // then due 3 s ± 20 % after the attempt, so the restarted server must find it due.
    await sleep(Math.max(0, first.at + CRASH.killAfterMs - now()));
    if (hook.attempts.length > 1) {
      fail(`a second attempt came before the kill, ${seconds(hook.attempts[1].at - first.at)} after the first (the first retry wait is ${CRASH.waits[0]} s); received: ${hook.describe()}`);
    }
    const killedAt = now();
    await server.kill('SIGKILL');
    say(`2/4: killed the server (SIGKILL) ${seconds(killedAt - first.at)} after the failed first attempt; restarting it`);

    server = await startServer('crash-restarted', db, flags);
    const restartedAt = server.startedAt;
    await hook.waitUntil(
      (h) => h.accepted().length > 0,
      restartedAt + CRASH.withinMs,
      `the publication of ${expected.slug} was not accepted within ${seconds(CRASH.withinMs)} of the restart ` +
        '(had the killed server not recorded its failed attempt, the delivery would wait for its lease to end)',
    );
    await sleep(CRASH.quietMs);
    requireWellFormed(hook);

    const messages = hook.messages();
    if (messages.length !== 1) fail(`expected one message, got ${messages.length}; received: ${hook.describe()}`);
    const [message] = messages;
    const mismatches = eventMismatches(message.payload, expected);
    if (mismatches.length) fail(`the event differs: ${mismatches.join(', ')}; body ${short(message.attempts[0].body)}`);
    if (message.accepted !== 1) fail(`${message.id} was accepted ${message.accepted} times after the restart; received: ${hook.describe()}`);
    const acceptedAfterRestart = message.acceptedAt[0] - restartedAt;
    return {
      text: `crash: first attempt (500) ${seconds(firstLatency)} after publishCase, SIGKILL ${seconds(killedAt - first.at)} later, ` +
        `restart ready in ${seconds(server.readyAt - restartedAt)}, accepted once ${seconds(acceptedAfterRestart)} after the restart ` +
        `(${message.verified} attempts)`,
      verified: hook.verifiedCount(),
    };
  } finally {
    await server.stop();
  }
}

async function checkReplicas(receiver) {
  const key = await createKey(PG_URL); // migrates the database once, before either replica
  const flags = retryFlags(REPLICAS.waits);
  const replicas = [];
  try {
    replicas.push(await startServer('replica-a', PG_URL, flags));
    replicas.push(await startServer('replica-b', PG_URL, flags));
    const path = '/hook/replicas';
    const secret = await createWebhookCli(PG_URL, receiver.url(path));
    const hook = receiver.route(path, { secret, failFirst: 0, delayMs: REPLICAS.delayMs });

    const published = [];
    for (let i = 0; i < REPLICAS.cases; i += 1) {
      const [createVia, publishVia] = i % 2 === 0 ? replicas : [...replicas].reverse();
      published.push(await createAndPublish(createVia, publishVia, key, newSlug(`replica-${i}`)));
    }
    const bySlug = new Map(published.map((entry) => [entry.slug, entry]));
    const lastPublishedAt = Math.max(...published.map((entry) => entry.publishedAt));
    const acceptedSlugs = (h) => new Set(h.accepted().map((message) => message.payload?.data?.slug));
    await hook.waitUntil(
      (h) => published.every((entry) => acceptedSlugs(h).has(entry.slug)),
      lastPublishedAt + REPLICAS.withinMs,
      () => {
        const missing = published.filter((entry) => !acceptedSlugs(hook).has(entry.slug)).map((entry) => entry.slug);
        return `${missing.length} of ${REPLICAS.cases} publications not accepted within ${seconds(REPLICAS.withinMs)} of the last publishCase: ${missing.join(', ')}`;
      },
    );
    await sleep(REPLICAS.quietMs);
    requireWellFormed(hook);

    const problems = [];
    const latencies = [];
    const messagesBySlug = new Map();
    for (const message of hook.messages()) {
      const slug = message.payload?.data?.slug;
      const expected = bySlug.get(slug);
      if (!expected) {
        problems.push(`${message.id}: not one of the publications (${message.payload?.type} ${slug} cause ${message.payload?.data?.cause})`);
        continue;
      }
      const mismatches = eventMismatches(message.payload, expected);
      if (mismatches.length) problems.push(`${message.id} (${slug}): ${mismatches.join(', ')}`);
      if (message.accepted !== 1 || message.attempts.length !== 1) {
        problems.push(`${message.id} (${slug}): ${message.attempts.length} attempts, accepted ${message.accepted} times (the receiver always answers 204)`);
      }
      messagesBySlug.set(slug, [...(messagesBySlug.get(slug) ?? []), message]);
    }
    for (const entry of published) {
      const messages = messagesBySlug.get(entry.slug) ?? [];
      if (messages.length !== 1) {
        problems.push(`${entry.slug}: published once, delivered as ${messages.length} messages (${messages.map((m) => m.id).join(', ')})`);
        continue;
      }
      const latency = messages[0].acceptedAt[0] - entry.publishedAt;
      latencies.push(latency);
      if (latency > REPLICAS.withinMs) problems.push(`${entry.slug}: accepted ${seconds(latency)} after its publishCase`);
    }
    if (problems.length) fail(`${problems.length} problem(s): ${problems.slice(0, 10).join('; ')}; received: ${hook.describe(40)}`);
    return {
      text: `replicas: ${REPLICAS.cases}/${REPLICAS.cases} publications accepted once each (${hook.attempts.length} deliveries), ` +
        `latency median ${seconds(median(latencies))}, max ${seconds(Math.max(...latencies))}`,
      verified: hook.verifiedCount(),
    };
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
  }
}

async function checkSsrf() {
  const db = sqliteUrl('ssrf');
  const key = await createKey(db);
  const server = await startServer('ssrf', db, []); // no --webhook-allow-private-targets
  try {
    const codes = [];
    for (const url of SSRF_REFUSED) {
      const payload = await mutate(server.url, key, 'createWebhook', CREATE_WEBHOOK, { url }, { refusable: true });
      if (!payload.userErrors?.length) {
        fail(`createWebhook accepted ${url} on a server without --webhook-allow-private-targets: ${short(JSON.stringify(payload))}`);
      }
      if (payload.webhook || payload.secret) {
        fail(`createWebhook refused ${url} yet returned a webhook or a secret: ${short(JSON.stringify(payload))}`);
      }
      codes.push(...payload.userErrors.map((error) => error.code ?? error.field ?? '?'));
    }
    // A public target is accepted: the refusals above are about the address, not the mutation.
    const allowed = await mutate(server.url, key, 'createWebhook', CREATE_WEBHOOK, { url: SSRF_ALLOWED }, { refusable: true });
    if (allowed.userErrors?.length || !allowed.webhook?.id) {
      fail(`createWebhook refused the public URL ${SSRF_ALLOWED} (so the refusals prove nothing): ${short(JSON.stringify(allowed))}`);
    }
    if (typeof allowed.secret !== 'string' || !allowed.secret.startsWith('whsec_')) {
      fail(`createWebhook returned the secret ${JSON.stringify(allowed.secret)}, not whsec_…`);
    }
    const { code, stdout } = await cli(['webhooks', 'create', '--url', SSRF_CLI_REFUSED], db);
    if (code === 0 || stdout.includes('whsec_')) {
      fail(`\`casegraph webhooks create --url ${SSRF_CLI_REFUSED}\` (no --allow-private-targets) succeeded`);
    }
    if (typeof code !== 'number') fail(`\`casegraph webhooks create --url ${SSRF_CLI_REFUSED}\` did not run to its end: ${code}`);
    return {
      text: `SSRF: ${SSRF_REFUSED.length} private targets refused (${[...new Set(codes)].join(', ')}), a public one accepted, the CLI refuses loopback`,
      verified: 0,
    };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!BIN || !DIR || !PG_URL) {
    throw new SetupError('CASEGRAPH_BIN, WEBHOOKS_DIR and WEBHOOKS_PG_URL must be set (scripts/webhooks.sh sets them)');
  }
  const receiverLog = join(DIR, 'receiver.log');
  let receiver;
  try {
    receiver = await startReceiver({ log: (line) => appendFileSync(receiverLog, `${new Date().toISOString()} ${line}\n`) });
  } catch (error) {
    throw new SetupError(`the receiver cannot listen: ${error.message}`);
  }
  say(`receiver on ${receiver.base}; standardwebhooks ${STANDARDWEBHOOKS_VERSION}`);
  try {
    const results = [];
    const steps = [
      ['1/4 retries, one server on SQLite', checkRetries],
      ['2/4 a crash between commit and delivery, SQLite', checkCrash],
      ['3/4 two replicas on one PostgreSQL database', checkReplicas],
      ['4/4 SSRF targets refused by default', checkSsrf],
    ];
    for (const [title, run] of steps) {
      say(`${title}…`);
      const started = now();
      let result;
      try {
        result = await run(receiver);
      } catch (error) {
        if (error instanceof SetupError) throw error;
        throw new Error(`check ${title}: ${error?.message ?? error}`);
      }
      say(`${title}: ok in ${seconds(now() - started)}: ${result.text}`);
      results.push(result);
    }
    if (receiver.strays.length) {
      fail(`requests to paths no webhook points at: ${receiver.strays.map((stray) => `${stray.method} ${stray.url}`).join(', ')}`);
    }
    const verified = results.reduce((sum, result) => sum + result.verified, 0);
    console.log(`webhooks: passed; ${results.map((result) => result.text).join('; ')}; ${verified} signatures verified with standardwebhooks ${STANDARDWEBHOOKS_VERSION}`);
  } finally {
    await withTimeout(receiver.close(), 2000, 'receiver close').catch(() => {});
  }
}

// No server outlives this process, however it ends.
process.on('exit', () => {
  for (const child of running.values()) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`webhooks: FAILED: interrupted (${signal})`);
    process.exit(1);
  });
}

const watchdog = setTimeout(() => {
  console.error(`webhooks: FAILED: the checks did not finish within ${OVERALL_TIMEOUT_MS} ms`);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);

try {
  await main();
  clearTimeout(watchdog);
  process.exit(0);
} catch (error) {
  console.error(`webhooks: FAILED: ${error?.message ?? error}`);
  process.exit(error instanceof SetupError ? 2 : 1);
}
