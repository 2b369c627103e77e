#!/usr/bin/env node
// Checks Casegraph's GraphQL subscriptions (graphql-transport-ws at /graphql/ws) with the
// `graphql-ws` client, across two replicas of one database: subscribers on replica A, writes
// through replica B over HTTP.
//
//   CASEGRAPH_KEY=cg_... node subscribe.mjs http://127.0.0.1:18110 [http://127.0.0.1:18111]
//
// The first URL is replica A's base (subscriptions: ws://…/graphql/ws), the second replica B's
// (mutations: POST …/graphql; default: the first, a single server). CASEGRAPH_KEY is an API
// key with the scopes read,read:drafts,write. The checks, in order:
//   1. an anonymous subscriber and a read:drafts subscriber to
//      `changes(filter: { subjects: [CASE] })` are acknowledged on A;
//   2. a draft case created through B reaches the read:drafts subscriber as CREATED/CREATED
//      within the latency limit, and nothing of it reaches the anonymous subscriber;
//   3. publishing it through B reaches the anonymous subscriber as CREATED/PUBLISHED within the
//      latency limit of the publish response (the measured latency is printed), and the
//      anonymous subscriber never sees the draft's creation;
//   4. a connection whose connection_init carries an unknown key is closed with 4403 (or 4401).
// Prints one summary line on success. Exit code 0 passed, 1 a check failed (the message says
// which), 2 bad usage.
//
// Environment:
//   CASEGRAPH_KEY               the API key (required)
//   SUBSCRIPTIONS_LATENCY_MS    longest wait for an event after its mutation's response (1000)
//   SUBSCRIPTIONS_TIMEOUT_MS    the whole run, after which it fails whatever it waits for (60000)
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const LATENCY_MS = Number(process.env.SUBSCRIPTIONS_LATENCY_MS) || 1000;
const OVERALL_TIMEOUT_MS = Number(process.env.SUBSCRIPTIONS_TIMEOUT_MS) || 60000;
const CONNECT_TIMEOUT_MS = 10000; // socket open + connection_ack
const REQUEST_TIMEOUT_MS = 10000; // one HTTP request
const SUBSCRIBE_SETTLE_MS = 300; // after connection_ack, for the server to register the subscribe
const LATE_EVENT_MS = 300; // after the last expected event, for stray ones to show up
const INVALID_KEY = 'cg_invalid_0000';
const REFUSAL_CODES = [4403, 4401];

const CHANGES = `subscription Changes {
  changes(filter: { subjects: [CASE] }) {
    kind cause slug version subjectId
    node { ... on Case { slug status } }
  }
}`;
const CREATE_CASE = `mutation C($input: CreateCaseInput!) {
  createCase(input: $input) { case { id version } userErrors { field code message } }
}`;
const PUBLISH_CASE = `mutation P($input: CaseVersionInput!) {
  publishCase(input: $input) { case { id status version } userErrors { field code message } }
}`;

const subscribeBase = (process.argv[2] || '').replace(/\/+$/, '');
const mutateBase = (process.argv[3] || subscribeBase).replace(/\/+$/, '');
const key = process.env.CASEGRAPH_KEY || '';
if (!subscribeBase || !key) {
  console.error('usage: CASEGRAPH_KEY=KEY node subscribe.mjs SUBSCRIBE_BASE_URL [MUTATE_BASE_URL]');
  process.exit(2);
}
const wsUrl = `${subscribeBase.replace(/^http/, 'ws')}/graphql/ws`;
const httpUrl = `${mutateBase}/graphql`;

// ---------------------------------------------------------------------------------------------
// Small helpers

const now = () => performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const short = (text, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text);
const isCloseEvent = (value) =>
  value !== null && typeof value === 'object' && 'code' in value && 'reason' in value;

// What a WebSocket close (or a socket error just before it) was, for a message.
function describeClose(event, socketError) {
  let text = `code ${event.code}`;
  if (event.reason) text += ` (${event.reason})`;
  const cause = socketError?.message ?? socketError?.error?.message;
  if (cause) text += `; socket error: ${cause}`;
  return text;
}

// What a subscription sink's error was: a close event, GraphQL errors or an Error.
function describeError(error, socketError) {
  if (isCloseEvent(error)) return `the socket closed: ${describeClose(error, socketError)}`;
  if (Array.isArray(error)) return `GraphQL errors: ${short(JSON.stringify(error))}`;
  return error?.message ?? String(error);
}

// A latency for the summary: an event may even beat the mutation's HTTP response.
function describeLatency(ms, response) {
  const rounded = Math.round(ms);
  return rounded < 0 ? `${-rounded} ms before the ${response} response` : `in ${rounded} ms`;
}

function describeEvents(events) {
  if (!events.length) return 'none';
  return events
    .map(({ event, at }) => `${event.kind}/${event.cause} v${event.version} at ${at.toFixed(0)} ms`)
    .join(', ');
}

// Resolves with the promise, or rejects with `message` after `ms`.
function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// HTTP: the mutations, through replica B

async function postGraphql(query, variables) {
  let response;
  try {
    response = await fetch(httpUrl, {
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
    throw new Error(`POST ${httpUrl} failed: ${error?.cause?.message ?? error?.message ?? error}`);
  }
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`POST ${httpUrl}: HTTP ${response.status}, not JSON: ${short(text)}`);
  }
  if (!response.ok || body.errors?.length) {
    throw new Error(`POST ${httpUrl}: HTTP ${response.status}, ${short(JSON.stringify(body))}`);
  }
  return body.data;
}

// Runs a payload mutation and returns its payload; userErrors fail the check.
async function mutate(field, query, input) {
  const payload = (await postGraphql(query, { input }))?.[field];
  if (!payload) throw new Error(`${field}: no payload in the answer`);
  if (payload.userErrors?.length) {
    throw new Error(`${field} refused: ${JSON.stringify(payload.userErrors)}`);
  }
  if (!payload.case) throw new Error(`${field}: no case in the payload`);
  return payload.case;
}

// ---------------------------------------------------------------------------------------------
// WebSocket: subscribers on replica A

// Opens a graphql-ws client and subscribes to CHANGES. Returns
//   connected    resolves on connection_ack, rejects when the socket closes before it;
//   eventsFor    the events received for a slug, each { event, at } (at: performance.now());
//   waitFor      resolves with the first event matching a predicate, rejects at a deadline
//                (a performance.now() time) or when the subscription fails;
//   dispose      closes the connection.
function openSubscriber(label, connectionParams) {
  const received = [];
  const waiters = new Set();
  let failure = null;
  let disposed = false;
  let socketError = null;
  let onConnected;
  let onConnectFailed;
  const connected = new Promise((resolve, reject) => {
    onConnected = resolve;
    onConnectFailed = reject;
  });
  connected.catch(() => {}); // awaited later; not an unhandled rejection meanwhile

  const fail = (message) => {
    if (disposed) return; // our own unsubscribe completes the subscription
    failure ??= `${label}: ${message}`;
    for (const waiter of waiters) waiter.reject(new Error(failure));
    onConnectFailed(new Error(failure));
  };

  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    connectionAckWaitTimeout: CONNECT_TIMEOUT_MS,
    on: {
      error: (error) => {
        socketError = error;
      },
      connected: () => onConnected(),
      closed: (event) => {
        onConnectFailed(
          new Error(`${label}: the socket closed before connection_ack: ${describeClose(event, socketError)}`),
        );
      },
    },
  });

  const unsubscribe = client.subscribe(
    { query: CHANGES },
    {
      next: (result) => {
        if (result.errors?.length) {
          fail(`the subscription sent errors: ${short(JSON.stringify(result.errors))}`);
          return;
        }
        const event = result.data?.changes;
        if (!event) {
          fail(`an event without data.changes: ${short(JSON.stringify(result))}`);
          return;
        }
        const entry = { event, at: now() };
        received.push(entry);
        for (const waiter of waiters) waiter.offer(entry);
      },
      error: (error) => fail(`the subscription failed: ${describeError(error, socketError)}`),
      complete: () => fail('the server completed the subscription'),
    },
  );

  function waitFor(predicate, deadline, what) {
    const found = received.find(predicate);
    if (found) return Promise.resolve(found);
    if (failure) return Promise.reject(new Error(failure));
    return new Promise((resolve, reject) => {
      const waiter = {
        offer: (entry) => {
          if (predicate(entry)) settle(() => resolve(entry));
        },
        reject: (error) => settle(() => reject(error)),
      };
      const timer = setTimeout(
        () => settle(() => reject(new Error(`${label}: ${what}`))),
        Math.max(0, deadline - now()),
      );
      function settle(finish) {
        clearTimeout(timer);
        waiters.delete(waiter);
        finish();
      }
      waiters.add(waiter);
    });
  }

  return {
    connected,
    eventsFor: (slug) => received.filter(({ event }) => event.slug === slug),
    waitFor,
    dispose: async () => {
      disposed = true;
      unsubscribe();
      await client.dispose();
    },
  };
}

// Connects with an unknown key (lazy: false, no retry) and resolves with the close code when
// the server closes the socket with 4403 or 4401; rejects on any other outcome.
function expectRefusal(token) {
  return new Promise((resolve, reject) => {
    let settled = false;
    let socketError = null;
    let client = null;
    const settle = (error, code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client?.dispose().catch(() => {});
      if (error) reject(error);
      else resolve(code);
    };
    const timer = setTimeout(
      () => settle(new Error(`invalid key: neither acknowledged nor closed within ${CONNECT_TIMEOUT_MS} ms`)),
      CONNECT_TIMEOUT_MS,
    );
    client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { Authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      connectionAckWaitTimeout: CONNECT_TIMEOUT_MS,
      onNonLazyError: () => {}, // the close event is examined below
      on: {
        error: (error) => {
          socketError = error;
        },
        connected: () =>
          settle(new Error(`invalid key: the server acknowledged the connection (expected a close with ${REFUSAL_CODES.join(' or ')})`)),
        closed: (event) => {
          if (REFUSAL_CODES.includes(event.code)) settle(null, event.code);
          else {
            settle(new Error(`invalid key: the socket closed with ${describeClose(event, socketError)}, expected ${REFUSAL_CODES.join(' or ')}`));
          }
        },
      },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The checks

function caseInput(slug) {
  return {
    slug,
    collection: 'wic-cbec-2025',
    category: 'logistics-integration',
    isSample: true,
    translations: [{ locale: 'en', title: '[Sample] Subscription check' }],
  };
}

async function main() {
  const anonymous = openSubscriber('anonymous subscriber', {});
  const drafts = openSubscriber('read:drafts subscriber', { Authorization: `Bearer ${key}` });
  const subscribers = [anonymous, drafts];
  try {
    await withTimeout(
      Promise.all(subscribers.map((subscriber) => subscriber.connected)),
      CONNECT_TIMEOUT_MS + 1000,
      `the subscribers were not acknowledged on ${wsUrl} within ${CONNECT_TIMEOUT_MS} ms`,
    );
    // graphql-transport-ws acknowledges the connection, not the subscribe message.
    await sleep(SUBSCRIBE_SETTLE_MS);

    const slug = `sample-ws-${randomBytes(6).toString('hex')}`;
    const forSlug = ({ event }) => event.slug === slug;

    // A draft: seen with read:drafts, not anonymously.
    const draft = await mutate('createCase', CREATE_CASE, caseInput(slug));
    const createdAt = now();
    const draftEvent = await drafts.waitFor(
      (entry) => forSlug(entry) && entry.event.kind === 'CREATED' && entry.event.cause === 'CREATED',
      createdAt + LATENCY_MS,
      `no CREATED/CREATED event for the draft ${slug} within ${LATENCY_MS} ms of createCase ` +
        `(events for it: ${describeEvents(drafts.eventsFor(slug))})`,
    );
    const draftLatency = draftEvent.at - createdAt;

    const publishSentAt = now();
    const leaked = anonymous.eventsFor(slug);
    if (leaked.length) {
      throw new Error(
        `anonymous subscriber: received events for the draft ${slug} before it was published: ` +
          describeEvents(leaked),
      );
    }

    // Published: the anonymous subscriber sees the case appear.
    const published = await mutate('publishCase', PUBLISH_CASE, {
      id: draft.id,
      expectedVersion: draft.version,
    });
    const publishedAt = now();
    if (published.status !== 'PUBLISHED') {
      throw new Error(`publishCase: the case is ${published.status}, not PUBLISHED`);
    }
    const publishEvent = await anonymous.waitFor(
      (entry) => forSlug(entry) && entry.event.cause === 'PUBLISHED',
      publishedAt + LATENCY_MS,
      `no PUBLISHED event for ${slug} within ${LATENCY_MS} ms of the publishCase response ` +
        `(events for it: ${describeEvents(anonymous.eventsFor(slug))})`,
    );
    if (publishEvent.event.kind !== 'CREATED') {
      throw new Error(
        `anonymous subscriber: the publication of ${slug} came as ${publishEvent.event.kind}, ` +
          'expected CREATED (the case appears to it)',
      );
    }
    const latency = publishEvent.at - publishedAt;

    // Stray events (the draft's creation arriving late) would still be a leak.
    await sleep(LATE_EVENT_MS);
    const unexpected = anonymous
      .eventsFor(slug)
      .filter(({ event, at }) => at < publishSentAt || event.cause !== 'PUBLISHED');
    if (unexpected.length) {
      throw new Error(
        `anonymous subscriber: events for ${slug} other than its publication: ${describeEvents(unexpected)}`,
      );
    }

    const refusalCode = await expectRefusal(INVALID_KEY);

    const where = mutateBase === subscribeBase ? 'on the same server' : 'from replica B on replica A';
    console.log(
      `subscriptions: event ${where} ${describeLatency(latency, 'publishCase')}; ` +
        `draft seen with read:drafts ${describeLatency(draftLatency, 'createCase')}, ` +
        `not anonymously; invalid key closed with ${refusalCode}`,
    );
  } finally {
    await Promise.race([Promise.allSettled(subscribers.map((s) => s.dispose())), sleep(1000)]);
  }
}

// Whatever it waits for, the run ends within OVERALL_TIMEOUT_MS.
const watchdog = setTimeout(() => {
  console.error(`subscriptions: FAILED: the check did not finish within ${OVERALL_TIMEOUT_MS} ms`);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);

try {
  await main();
  clearTimeout(watchdog);
  process.exit(0);
} catch (error) {
  console.error(`subscriptions: FAILED: ${error?.message ?? error}`);
  process.exit(1);
}
