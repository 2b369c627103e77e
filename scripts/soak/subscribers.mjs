#!/usr/bin/env node
// The WebSocket side of scripts/soak.sh: long-lived GraphQL subscribers that count events, and
// connection churn (graphql-transport-ws at /graphql/ws). Uses the `graphql-ws` and `ws`
// packages installed in scripts/subscriptions/node_modules (`npm ci` there).
//
//   CASEGRAPH_KEY=cg_... node subscribers.mjs BASE_URL STATS_JSON
//
// Opens $SUBSCRIBERS (default 3) subscribers to `changes(filter: { subjects: [CASE] })` that
// stay connected until SIGTERM: all but the last with the key (read:drafts: every case event),
// the last anonymous (published cases only); keep-alive pings every 10 s, no reconnection (a
// dropped subscriber is a failure). Every $CHURN_MS (default 1000) ms it also opens one more
// connection and closes it again, in turn:
//   clean     graphql-ws client: subscribe, acknowledged, 500 ms, dispose (complete + close 1000);
//   abrupt    raw socket: connection_init, ack, subscribe, 300 ms, then the TCP socket is
//             destroyed without a close frame (a client that vanished);
//   no-close  raw socket: connection_init, ack, subscribe, close 1000 without `complete`;
//   no-init   raw socket: opened, destroyed at once without a single message.
// A churn connection that is not acknowledged within 10 s (the first three) counts as failed.
// Writes STATS_JSON every 2 s and on SIGTERM (then exits 0):
//   { "subscribers": [{ label, keyed, connected, events, byKind, failure }],
//     "churn": { opened, completed, failed, byMode, firstFailure } }
// Exit code 0, 2 bad usage; a watchdog ends it after $MAX_SECONDS (default 7200).
import { createRequire } from 'node:module';
import { writeFileSync, renameSync } from 'node:fs';

const require = createRequire(new URL('../subscriptions/package.json', import.meta.url));
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');

const base = (process.argv[2] || '').replace(/\/+$/, '');
const statsPath = process.argv[3] || '';
const key = process.env.CASEGRAPH_KEY || '';
if (!base || !statsPath || !key) {
  console.error('usage: CASEGRAPH_KEY=KEY node subscribers.mjs BASE_URL STATS_JSON');
  process.exit(2);
}
const wsUrl = `${base.replace(/^http/, 'ws')}/graphql/ws`;
const SUBSCRIBERS = Math.max(1, Number(process.env.SUBSCRIBERS) || 3);
const CHURN_MS = Number(process.env.CHURN_MS) || 1000;
const MAX_SECONDS = Number(process.env.MAX_SECONDS) || 7200;
const ACK_TIMEOUT_MS = 10000;
const CHANGES = 'subscription Soak { changes(filter: { subjects: [CASE] }) { kind cause subjectType slug version } }';
const MODES = ['clean', 'abrupt', 'no-close', 'no-init'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const short = (text, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text);
const auth = { Authorization: `Bearer ${key}` };

// ---------------------------------------------------------------------------------------------
// Long-lived subscribers

const subscribers = [];
const clients = [];

function openSubscriber(label, keyed) {
  const state = { label, keyed, connected: false, events: 0, byKind: {}, failure: null };
  subscribers.push(state);
  const fail = (message) => {
    if (!stopping) state.failure ??= message;
  };
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: keyed ? auth : {},
    lazy: false,
    retryAttempts: 0,
    keepAlive: 10000,
    connectionAckWaitTimeout: ACK_TIMEOUT_MS,
    onNonLazyError: (error) => fail(`connection failed: ${describe(error)}`),
    on: {
      connected: () => {
        state.connected = true;
      },
      closed: (event) => fail(`the socket closed: code ${event?.code} ${event?.reason ?? ''}`.trim()),
    },
  });
  clients.push(client);
  client.subscribe(
    { query: CHANGES },
    {
      next: (result) => {
        if (result.errors?.length) {
          fail(`errors: ${short(JSON.stringify(result.errors))}`);
          return;
        }
        const event = result.data?.changes;
        if (!event) {
          fail(`an event without data.changes: ${short(JSON.stringify(result))}`);
          return;
        }
        state.events += 1;
        const kind = `${event.kind}/${event.cause}`;
        state.byKind[kind] = (state.byKind[kind] ?? 0) + 1;
      },
      error: (error) => fail(`the subscription failed: ${describe(error)}`),
      complete: () => fail('the server completed the subscription'),
    },
  );
}

function describe(error) {
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
    return `close ${error.code} ${error.reason}`.trim();
  }
  if (Array.isArray(error)) return short(JSON.stringify(error));
  return error?.message ?? String(error);
}

// ---------------------------------------------------------------------------------------------
// Connection churn

const churn = { opened: 0, completed: 0, failed: 0, byMode: {}, firstFailure: null };

function churnFailed(mode, message) {
  churn.failed += 1;
  churn.firstFailure ??= `${mode}: ${message}`;
}

// The graphql-ws client, closed properly.
async function churnClean() {
  let client;
  const acked = new Promise((resolve, reject) => {
    client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: auth,
      lazy: false,
      retryAttempts: 0,
      connectionAckWaitTimeout: ACK_TIMEOUT_MS,
      onNonLazyError: (error) => reject(new Error(describe(error))),
      on: { connected: resolve },
    });
  });
  const unsubscribe = client.subscribe({ query: CHANGES }, { next: () => {}, error: () => {}, complete: () => {} });
  try {
    await withTimeout(acked, ACK_TIMEOUT_MS, 'no connection_ack');
    await sleep(500);
  } finally {
    unsubscribe();
    await client.dispose();
  }
}

// A raw socket, as far as `mode` goes (see the file's comment).
function churnRaw(mode) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no connection_ack within ${ACK_TIMEOUT_MS} ms`));
    }, ACK_TIMEOUT_MS);
    let acked = false;
    const finish = (error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    socket.on('error', (error) => finish(error));
    socket.on('open', () => {
      if (mode === 'no-init') {
        socket.terminate();
        finish();
        return;
      }
      socket.send(JSON.stringify({ type: 'connection_init', payload: auth }));
    });
    socket.on('message', (data) => {
      let message;
      try {
        message = JSON.parse(String(data));
      } catch {
        finish(new Error(`not JSON: ${short(String(data))}`));
        return;
      }
      if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      if (message.type !== 'connection_ack') return;
      acked = true;
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: CHANGES } }));
      setTimeout(() => {
        if (mode === 'abrupt') socket.terminate();
        else socket.close(1000, 'soak');
        finish();
      }, 300);
    });
    socket.on('close', (code) =>
      finish(acked || mode === 'no-init' ? null : new Error(`closed with ${code} before connection_ack`)),
    );
  });
}

function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let churnCount = 0;
async function churnOnce() {
  const mode = MODES[churnCount % MODES.length];
  churnCount += 1;
  churn.opened += 1;
  churn.byMode[mode] = (churn.byMode[mode] ?? 0) + 1;
  try {
    if (mode === 'clean') await churnClean();
    else await churnRaw(mode);
    churn.completed += 1;
  } catch (error) {
    if (!stopping) churnFailed(mode, error?.message ?? String(error));
  }
}

// ---------------------------------------------------------------------------------------------

let stopping = false;

function writeStats() {
  const body = JSON.stringify({ subscribers, churn });
  writeFileSync(`${statsPath}.tmp`, body);
  renameSync(`${statsPath}.tmp`, statsPath);
}

for (let i = 0; i < SUBSCRIBERS; i += 1) {
  const keyed = i < SUBSCRIBERS - 1 || SUBSCRIBERS === 1;
  openSubscriber(keyed ? `keyed-${i + 1}` : 'anonymous', keyed);
}
const churnTimer = setInterval(churnOnce, CHURN_MS);
const statsTimer = setInterval(writeStats, 2000);
writeStats();

async function stop(code) {
  if (stopping) return;
  stopping = true;
  clearInterval(churnTimer);
  clearInterval(statsTimer);
  writeStats();
  await Promise.race([Promise.allSettled(clients.map((client) => client.dispose())), sleep(2000)]);
  process.exit(code);
}
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
setTimeout(() => {
  console.error(`subscribers.mjs: still running after ${MAX_SECONDS} s, stopping`);
  stop(0);
}, MAX_SECONDS * 1000).unref();
