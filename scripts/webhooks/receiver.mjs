// A webhook endpoint for the checks of webhooks.mjs: a node HTTP server on loopback that
// verifies every delivery with the `standardwebhooks` package (the specification's own
// library: `new Webhook(secret).verify(rawBody, headers)`, on the raw bytes received) and
// answers as a check tells it to, recording everything it received.
//
//   const receiver = await startReceiver({ log });            // 127.0.0.1, a free port
//   const hook = receiver.route('/hook/retries', { secret, failFirst: 3, delayMs: [0, 50] });
//   … point a webhook at receiver.url('/hook/retries') …
//   await hook.waitUntil((h) => h.accepted().length === 1, deadline, 'what was expected');
//
// Each route answers, per request:
//   401  the signature does not verify (or a header is missing, or the timestamp is more than
//        5 minutes off: the library's tolerance); 405 not a POST; 413 a body over 1 MiB;
//   500  the first `failFirst` verified attempts of each webhook-id (a simulated failure);
//   204  every later verified attempt: the message is accepted (again, if it already was).
// after a random wait in `delayMs` ([min, max] ms). Unknown paths get 404 (`receiver.strays`).
//
// What a route records:
//   attempts    every request, in order: { n, path, at (performance.now()), method, id,
//               timestamp, signature, contentType, body (text), valid, error, payload, status,
//               answered (the response was sent), aborted (the client went away first) };
//   messages()  per webhook-id: { id, attempts, verified (verified attempts), accepted
//               (2xx answers), acceptedAt (their times), payload (the first verified one) };
//   problems    what a delivery did wrong whatever the check: an invalid signature, a
//               content-type other than application/json, a webhook-id not `msg_…`, a body
//               that is not a JSON event ({ type, timestamp RFC 3339, data: object }), a
//               retry whose body differs from the first attempt's, a webhook-timestamp going
//               backwards between attempts of one message.
// Times are performance.now() milliseconds, the clock of the caller's own measurements.
import http from 'node:http';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';

const MAX_BODY_BYTES = 1024 * 1024;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The installed standardwebhooks version, for summaries. */
export const STANDARDWEBHOOKS_VERSION = (() => {
  try {
    return createRequire(import.meta.url)('standardwebhooks/package.json').version;
  } catch {
    return 'unknown';
  }
})();

const short = (text, max = 200) => (text.length > max ? `${text.slice(0, max)}…` : text);
const header = (headers, name) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/** One path of the receiver, with its secret and behaviour; see the file's comment. */
export class Endpoint {
  constructor(path, { secret, failFirst = 0, delayMs = [0, 0] }, log) {
    this.path = path;
    this.secret = secret;
    this.failFirst = failFirst;
    this.delayMs = delayMs;
    this.log = log;
    // Throws on a secret the library cannot use (not whsec_ + base64): the caller's problem.
    this.webhook = new Webhook(secret);
    this.attempts = [];
    this.problems = [];
    this.byId = new Map();
    this.waiters = new Set();
  }

  messages() {
    return [...this.byId.values()];
  }

  accepted() {
    return this.messages().filter((message) => message.accepted > 0);
  }

  verifiedCount() {
    return this.attempts.filter((attempt) => attempt.valid).length;
  }

  // Records one request and answers it.
  receive({ at, method, headers, body, tooLarge, res }) {
    const attempt = {
      n: this.attempts.length + 1,
      path: this.path,
      at,
      method,
      id: header(headers, 'webhook-id') ?? null,
      timestamp: header(headers, 'webhook-timestamp') ?? null,
      signature: header(headers, 'webhook-signature') ?? null,
      contentType: header(headers, 'content-type') ?? null,
      body: body.toString('utf8'),
      valid: false,
      error: null,
      payload: null,
      status: 0,
      answered: false,
      aborted: false,
    };
    this.attempts.push(attempt);
    const label = `${this.path} request ${attempt.n} (webhook-id ${attempt.id ?? 'missing'})`;

    if (method !== 'POST') {
      attempt.error = `method ${method}, not POST`;
      attempt.status = 405;
    } else if (tooLarge) {
      attempt.error = `a body over ${MAX_BODY_BYTES} bytes`;
      attempt.status = 413;
    } else {
      try {
        // Exactly what a partner's endpoint does: the raw body and the request's headers.
        this.webhook.verify(body, headers, { jsonParse: false });
        attempt.valid = true;
      } catch (error) {
        attempt.error = `signature not verified: ${error?.message ?? error}`;
        attempt.status = 401;
      }
    }
    if (attempt.error) this.problems.push(`${label}: ${attempt.error}`);

    if (attempt.id !== null) {
      let message = this.byId.get(attempt.id);
      if (!message) {
        message = { id: attempt.id, attempts: [], verified: 0, accepted: 0, acceptedAt: [], payload: null };
        this.byId.set(attempt.id, message);
      }
      message.attempts.push(attempt);
      if (attempt.valid) {
        this.inspect(attempt, message, label);
        message.verified += 1;
        attempt.status = message.verified <= this.failFirst ? 500 : 204;
        if (attempt.status < 300) {
          message.accepted += 1;
          message.acceptedAt.push(at);
        }
      }
    }

    const [min, max] = this.delayMs;
    const delay = min + Math.random() * Math.max(0, max - min);
    const answer = () => {
      res.on('finish', () => {
        attempt.answered = true;
        this.notify();
      });
      res.on('close', () => {
        if (!attempt.answered) {
          attempt.aborted = true;
          this.notify();
        }
      });
      if (attempt.status === 204) {
        res.writeHead(204).end();
      } else {
        const text = attempt.status === 500 ? 'simulated failure\n' : `${attempt.error}\n`;
        res.writeHead(attempt.status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
      }
    };
    if (delay > 0) setTimeout(answer, delay);
    else answer();

    const payload = attempt.payload;
    this.log(
      `${this.path} #${attempt.n} ${method} id=${attempt.id} ts=${attempt.timestamp} -> ${attempt.status}` +
        (attempt.valid ? ' verified' : ` NOT VERIFIED (${attempt.error})`) +
        (payload ? ` ${payload.type} ${payload.data?.slug}/${payload.data?.cause} v${payload.data?.version}` : '') +
        (attempt.valid ? '' : ` body=${short(attempt.body)}`),
    );
  }

  // The checks every verified delivery must pass; sets attempt.payload.
  inspect(attempt, message, label) {
    const problem = (text) => this.problems.push(`${label}: ${text}`);
    if (!/^application\/json\s*(;|$)/i.test(attempt.contentType ?? '')) {
      problem(`content-type ${JSON.stringify(attempt.contentType)}, not application/json`);
    }
    if (!attempt.id.startsWith('msg_')) problem('the webhook-id does not start with msg_');
    try {
      attempt.payload = JSON.parse(attempt.body);
    } catch {
      problem(`the body is not JSON: ${short(attempt.body)}`);
      return;
    }
    const { payload } = attempt;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      problem(`the body is not a JSON object: ${short(attempt.body)}`);
    } else {
      if (typeof payload.type !== 'string' || !payload.type) problem('the body has no string "type"');
      if (typeof payload.timestamp !== 'string' || !RFC3339.test(payload.timestamp) || Number.isNaN(Date.parse(payload.timestamp))) {
        problem(`the body's "timestamp" is not RFC 3339: ${JSON.stringify(payload.timestamp)}`);
      }
      if (payload.data === null || typeof payload.data !== 'object' || Array.isArray(payload.data)) {
        problem('the body has no "data" object');
      }
    }
    const first = message.attempts.find((earlier) => earlier.valid && earlier !== attempt);
    if (first && first.body !== attempt.body) {
      problem(`a retry with another body than attempt ${first.n}'s: ${short(first.body)} then ${short(attempt.body)}`);
    }
    const previous = message.attempts.filter((earlier) => earlier.valid && earlier !== attempt).at(-1);
    if (previous && Number(attempt.timestamp) < Number(previous.timestamp)) {
      problem(`webhook-timestamp ${attempt.timestamp} is before the previous attempt's (${previous.timestamp})`);
    }
    message.payload ??= payload;
  }

  notify() {
    for (const waiter of this.waiters) waiter();
  }

  /**
   * Resolves once `predicate(this)` holds (checked now and after every answered request);
   * rejects at `deadline` (performance.now() ms) with `what` (a string or a function giving
   * one) and what the route received.
   */
  waitUntil(predicate, deadline, what) {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (predicate(this)) settle(resolve);
      };
      const timer = setTimeout(() => {
        const message = typeof what === 'function' ? what() : what;
        settle(() => reject(new Error(`${message}; ${this.path} received: ${this.describe()}`)));
      }, Math.max(0, deadline - performance.now()));
      const settle = (finish) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        finish();
      };
      this.waiters.add(waiter);
    });
  }

  /** The requests received, for a failure message (times relative to the first). */
  describe(limit = 30) {
    if (!this.attempts.length) return 'nothing';
    const origin = this.attempts[0].at;
    const lines = this.attempts.slice(0, limit).map((attempt) => {
      const data = attempt.payload?.data;
      const what = attempt.payload
        ? `${attempt.payload.type} slug=${data?.slug} cause=${data?.cause} v${data?.version}`
        : attempt.error ?? 'no JSON body';
      return `#${attempt.n} +${((attempt.at - origin) / 1000).toFixed(2)} s ${attempt.id ?? '(no webhook-id)'} → ${attempt.status} (${what})`;
    });
    if (this.attempts.length > limit) lines.push(`… ${this.attempts.length - limit} more`);
    return `${this.attempts.length} request(s): ${lines.join('; ')}`;
  }
}

/**
 * Starts the receiver on `host` (127.0.0.1) and `port` (0: a free one). `log(line)` gets a
 * line per request. Returns { base, port, url(path), route(path, options), strays, close() }.
 */
export async function startReceiver({ host = '127.0.0.1', port = 0, log = () => {} } = {}) {
  const endpoints = new Map();
  const strays = [];

  const server = http.createServer((req, res) => {
    const at = performance.now();
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => {}); // a client gone mid-body: nothing to answer
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://receiver').pathname;
      const endpoint = endpoints.get(path);
      if (!endpoint) {
        strays.push({ at, method: req.method, url: req.url, webhookId: header(req.headers, 'webhook-id') ?? null });
        log(`stray ${req.method} ${req.url} -> 404`);
        res.writeHead(404).end();
        return;
      }
      endpoint.receive({ at, method: req.method, headers: req.headers, body: Buffer.concat(chunks), tooLarge, res });
    });
  });
  server.keepAliveTimeout = 5000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address().port;
  const base = `http://${host}:${bound}`;
  return {
    base,
    port: bound,
    url: (path) => `${base}${path}`,
    route(path, options) {
      const endpoint = new Endpoint(path, options, log);
      endpoints.set(path, endpoint);
      return endpoint;
    },
    strays,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
