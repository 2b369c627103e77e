// The receiver's own test, no Casegraph server needed: deliveries signed with the
// `standardwebhooks` package's own `sign` (as a correct sender signs) must verify, and tampered,
// wrongly keyed, stale or incomplete ones must not; the fail-first-then-accept behaviour, the
// per-message counts, the problems and waitUntil must be what webhooks.mjs relies on.
//
//   node selftest.mjs        (npm test)
//
// Prints one line and exits 0 when the receiver works, 1 (with the failed case) otherwise.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { startReceiver, STANDARDWEBHOOKS_VERSION } from './receiver.mjs';

const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;
const event = (slug) =>
  JSON.stringify({
    type: 'case.created',
    timestamp: new Date().toISOString(),
    data: { id: 'Q2FzZTox', slug, subjectType: 'CASE', kind: 'CREATED', cause: 'PUBLISHED', version: 2 },
  });

// POSTs `body` signed with `signWith` as message `id` at `date`; `headers` overrides headers
// (a null value drops one). Returns the HTTP status.
async function deliver(url, { id, body, signWith, date = new Date(), headers = {}, sendBody = body }) {
  const all = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
    'webhook-signature': new Webhook(signWith).sign(id, date, body),
    ...headers,
  };
  for (const [name, value] of Object.entries(all)) if (value === null) delete all[name];
  const response = await fetch(url, { method: 'POST', headers: all, body: sendBody });
  await response.arrayBuffer();
  return response.status;
}

const cases = [];
const test = (name, run) => cases.push({ name, run });
let receiver;

test("signs the specification's example as it gives it (the library is the genuine one)", () => {
  const signature = new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').sign(
    'msg_p5jXN8AQM9LWM0D4loKWxJek',
    new Date(1614265330 * 1000),
    '{"test": 2432232314}',
  );
  assert.equal(signature, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});

test('fails the first attempts of a message, then accepts it, counting each', async () => {
  const secret = newSecret();
  const hook = receiver.route('/hook/retry', { secret, failFirst: 2 });
  const url = receiver.url('/hook/retry');
  const body = event('sample-hook-1');
  const statuses = [];
  for (let i = 0; i < 4; i += 1) statuses.push(await deliver(url, { id: 'msg_1_0', body, signWith: secret }));
  assert.deepEqual(statuses, [500, 500, 204, 204]);
  const [message] = hook.messages();
  assert.equal(hook.messages().length, 1);
  assert.equal(message.verified, 4);
  assert.equal(message.accepted, 2, 'a second acceptance (a duplicate delivery) is counted');
  assert.equal(message.payload.data.slug, 'sample-hook-1');
  assert.deepEqual(hook.problems, []);
  // Another message has its own count.
  assert.equal(await deliver(url, { id: 'msg_2_0', body: event('sample-hook-2'), signWith: secret }), 500);
  assert.equal(hook.byId.get('msg_2_0').verified, 1);
  assert.equal(hook.accepted().length, 1);
});

test('accepts a signature among several (space-separated, one valid)', async () => {
  const secret = newSecret();
  const hook = receiver.route('/hook/multi', { secret });
  const body = event('sample-hook-multi');
  const date = new Date();
  const signature = `v1,${randomBytes(32).toString('base64')} ${new Webhook(secret).sign('msg_3_0', date, body)}`;
  const status = await deliver(receiver.url('/hook/multi'), {
    id: 'msg_3_0', body, signWith: secret, date, headers: { 'webhook-signature': signature },
  });
  assert.equal(status, 204);
  assert.deepEqual(hook.problems, []);
});

test('refuses a tampered body, another key, a stale timestamp, missing headers', async () => {
  const secret = newSecret();
  const hook = receiver.route('/hook/bad', { secret });
  const url = receiver.url('/hook/bad');
  const body = event('sample-hook-bad');
  const tampered = body.replace('sample-hook-bad', 'sample-hook-evil');
  assert.equal(await deliver(url, { id: 'msg_4_0', body, sendBody: tampered, signWith: secret }), 401);
  assert.equal(await deliver(url, { id: 'msg_4_1', body, signWith: newSecret() }), 401);
  const stale = new Date(Date.now() - 10 * 60 * 1000);
  assert.equal(await deliver(url, { id: 'msg_4_2', body, signWith: secret, date: stale }), 401);
  assert.equal(await deliver(url, { id: 'msg_4_3', body, signWith: secret, headers: { 'webhook-signature': null } }), 401);
  assert.equal(await deliver(url, { id: 'msg_4_4', body, signWith: secret, headers: { 'webhook-id': 'msg_4_5' } }), 401);
  const stray = await fetch(url);
  assert.equal(stray.status, 405);
  assert.equal(hook.verifiedCount(), 0);
  assert.equal(hook.accepted().length, 0);
  assert.equal(hook.problems.length, 6, hook.problems.join('\n'));
  assert.match(hook.problems[0], /signature not verified: No matching signature found/);
  assert.match(hook.problems[2], /too old/);
  assert.match(hook.problems[3], /Missing required headers/);
});

test('flags a wrong content-type, a webhook-id without msg_, a body that is not an event, a retry with another body', async () => {
  const secret = newSecret();
  const hook = receiver.route('/hook/shape', { secret });
  const url = receiver.url('/hook/shape');
  assert.equal(await deliver(url, { id: 'msg_5_0', body: event('a'), signWith: secret, headers: { 'content-type': 'text/plain' } }), 204);
  assert.equal(await deliver(url, { id: 'evt_5_1', body: event('b'), signWith: secret }), 204);
  assert.equal(await deliver(url, { id: 'msg_5_2', body: '{"type":"case.created"}', signWith: secret }), 204);
  assert.equal(await deliver(url, { id: 'msg_5_3', body: event('c'), signWith: secret }), 204);
  assert.equal(await deliver(url, { id: 'msg_5_3', body: event('d'), signWith: secret }), 204);
  assert.equal(hook.problems.length, 5, hook.problems.join('\n'));
  assert.match(hook.problems[0], /content-type "text\/plain"/);
  assert.match(hook.problems[1], /does not start with msg_/);
  assert.match(hook.problems.join('\n'), /"timestamp" is not RFC 3339/);
  assert.match(hook.problems.join('\n'), /no "data" object/);
  assert.match(hook.problems[4], /another body/);
});

test('answers 404 on an unknown path; waits with a deadline; delays its answers', async () => {
  const strays = receiver.strays.length;
  assert.equal((await fetch(receiver.url('/elsewhere'), { method: 'POST', body: '{}' })).status, 404);
  assert.equal(receiver.strays.length, strays + 1);

  const secret = newSecret();
  const hook = receiver.route('/hook/wait', { secret, delayMs: [40, 50] });
  const url = receiver.url('/hook/wait');
  await assert.rejects(
    hook.waitUntil((h) => h.accepted().length > 0, performance.now() + 100, 'nothing accepted'),
    /nothing accepted; \/hook\/wait received: nothing/,
  );
  const waited = hook.waitUntil((h) => h.accepted().length > 0, performance.now() + 5000, 'never');
  const started = performance.now();
  assert.equal(await deliver(url, { id: 'msg_6_0', body: event('wait'), signWith: secret }), 204);
  assert.ok(performance.now() - started >= 39, 'the answer came before the delay');
  await waited;
  assert.equal(hook.attempts[0].answered, true);
  assert.match(hook.describe(), /#1 \+0\.00 s msg_6_0 → 204 \(case\.created slug=wait cause=PUBLISHED v2\)/);
});

receiver = await startReceiver();
let failed = 0;
for (const { name, run } of cases) {
  try {
    await run();
  } catch (error) {
    failed += 1;
    console.error(`receiver self-test: FAILED: ${name}: ${error?.stack ?? error}`);
  }
}
await receiver.close();
if (failed) process.exit(1);
console.log(`receiver self-test: ${cases.length} cases passed (standardwebhooks ${STANDARDWEBHOOKS_VERSION})`);
