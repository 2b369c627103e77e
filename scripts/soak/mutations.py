#!/usr/bin/env python3
"""The write side of scripts/soak.sh: a steady trickle of case mutations (python3 stdlib only).

    python3 mutations.py BASE_URL SECONDS SUMMARY_JSON

With the key in $KEY (scopes read,read:drafts,write), for SECONDS seconds, at $RATE mutations
per second (default 3) on one keep-alive connection, in a cycle:
    createCase   a draft `soak-<run>-<n>` (isSample, [Synthetic] texts);
    updateCase   that draft: a new summary, a zh translation, other tags and countries;
    publishCase  that draft;
    updateCase   a case published earlier by this loop (its summary and tags).
Each successful mutation is one change event (webhooks, subscriptions). A response counts as
an error when its status is not 200, its body is not JSON or has top-level "errors", or the
payload is missing; userErrors are counted apart (expected in general, none expected here
since this loop is the only writer). Writes SUMMARY_JSON at the end (or on SIGTERM):
    {"requests": {"create": n, ...}, "ok": {...}, "user_errors": n, "errors": n,
     "status5xx": n, "events_expected": n, "first_error": "...", "first_user_error": "...",
     "p50_ms": x, "p99_ms": x, "max_ms": x}
Exit code 0 (the summary says how it went), 2 bad usage.
"""

import http.client
import json
import os
import random
import signal
import sys
import time
import urllib.parse

CASE_FIELDS = "id slug status version"
CREATE = (
    "mutation C($input: CreateCaseInput!) { createCase(input: $input) { "
    f"case {{ {CASE_FIELDS} }} userErrors {{ field code message }} }} }}"
)
UPDATE = (
    "mutation U($input: UpdateCaseInput!) { updateCase(input: $input) { "
    f"case {{ {CASE_FIELDS} }} userErrors {{ field code message }} }} }}"
)
PUBLISH = (
    "mutation P($input: CaseVersionInput!) { publishCase(input: $input) { "
    f"case {{ {CASE_FIELDS} }} userErrors {{ field code message }} }} }}"
)
COUNTRIES = ["CN", "US", "DE", "AE", "SA", "KE", "IN", "ID", "BR", "KZ"]
TAGS = ["soak", "logistics", "compliance", "returns", "marketplace", "training", "halal"]
CATEGORIES = ["logistics-integration", "trading-platforms", "brand-incubation", "digital-empowerment"]
KINDS = ["create", "update_draft", "publish", "update_published"]


class Soak:
    def __init__(self, base_url, key):
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.key = key
        self.conn = None
        self.requests = {kind: 0 for kind in KINDS}
        self.ok = {kind: 0 for kind in KINDS}
        self.user_errors = 0
        self.errors = 0
        self.status5xx = 0
        self.first_error = ""
        self.first_user_error = ""
        self.latencies = []

    def post(self, query, variables):
        """(status, parsed body or None, raw text); one retry on a dropped keep-alive socket."""
        body = json.dumps({"query": query, "variables": variables})
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {self.key}",
        }
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=15)
            try:
                self.conn.request("POST", "/graphql", body=body, headers=headers)
                response = self.conn.getresponse()
                raw = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        return response.status, parsed, raw

    def mutate(self, kind, field, query, payload):
        """The mutation's case ({id, slug, status, version}) or None."""
        self.requests[kind] += 1
        started = time.monotonic()
        try:
            status, body, raw = self.post(query, {"input": payload})
        except OSError as error:  # includes timeouts and refused connections
            self.errors += 1
            self.first_error = self.first_error or f"{kind}: {error!r}"
            if self.conn is not None:
                self.conn.close()
                self.conn = None
            return None
        finally:
            self.latencies.append((time.monotonic() - started) * 1000)
        if status >= 500:
            self.status5xx += 1
        result = (body or {}).get("data") or {}
        result = result.get(field) if isinstance(result, dict) else None
        if status != 200 or body is None or body.get("errors") or not isinstance(result, dict):
            self.errors += 1
            self.first_error = self.first_error or f"{kind}: HTTP {status} {raw[:400]}"
            return None
        if result.get("userErrors"):
            self.user_errors += 1
            self.first_user_error = self.first_user_error or f"{kind}: {json.dumps(result['userErrors'])[:400]}"
            return None
        if not isinstance(result.get("case"), dict):
            self.errors += 1
            self.first_error = self.first_error or f"{kind}: no case in {raw[:400]}"
            return None
        self.ok[kind] += 1
        return result["case"]

    def summary(self):
        latencies = sorted(self.latencies) or [0.0]

        def percentile(p):
            return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 2)

        return {
            "requests": self.requests,
            "ok": self.ok,
            "total": sum(self.requests.values()),
            "user_errors": self.user_errors,
            "errors": self.errors,
            "status5xx": self.status5xx,
            "events_expected": sum(self.ok.values()),
            "first_error": self.first_error,
            "first_user_error": self.first_user_error,
            "p50_ms": percentile(0.5),
            "p99_ms": percentile(0.99),
            "max_ms": round(latencies[-1], 2),
        }


def main():
    if len(sys.argv) != 4 or not os.environ.get("KEY"):
        print("usage: KEY=... [RATE=3] python3 mutations.py BASE_URL SECONDS SUMMARY_JSON", file=sys.stderr)
        return 2
    base_url, seconds, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    rate = float(os.environ.get("RATE", "3"))
    soak = Soak(base_url, os.environ["KEY"])
    run = f"{int(time.time()) % 100000:05d}{os.getpid() % 1000:03d}"
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))

    published = {}  # id -> version, of the cases this loop published
    draft = None
    n = 0
    interval = 1.0 / rate
    start = time.monotonic()
    next_at = start
    step = 0
    while not stopping and time.monotonic() - start < seconds:
        kind = KINDS[step % len(KINDS)]
        step += 1
        if kind == "create":
            n += 1
            slug = f"soak-{run}-{n}"
            draft = soak.mutate(kind, "createCase", CREATE, {
                "slug": slug,
                "collection": "wic-cbec-2025",
                "category": random.choice(CATEGORIES),
                "isSample": True,
                "translations": [{
                    "locale": "en",
                    "title": f"[Synthetic] soak {n}",
                    "summary": "[Synthetic] soak test.",
                    "body": f"[Synthetic] A case written by the soak test, number {n}.",
                }],
                "countries": random.sample(COUNTRIES, 2),
                "tags": ["soak"],
            })
        elif kind == "update_draft":
            if draft is None:
                continue
            draft = soak.mutate(kind, "updateCase", UPDATE, {
                "id": draft["id"],
                "expectedVersion": draft["version"],
                "translations": [
                    {"locale": "en", "title": f"[Synthetic] soak {n}",
                     "summary": f"[Synthetic] soak test, revised at {time.time():.0f}."},
                    {"locale": "zh", "title": f"[合成] 浸泡测试 {n}"},
                ],
                "countries": random.sample(COUNTRIES, 3),
                "tags": ["soak"] + random.sample(TAGS[1:], 2),
            })
        elif kind == "publish":
            if draft is None:
                continue
            case = soak.mutate(kind, "publishCase", PUBLISH, {"id": draft["id"], "expectedVersion": draft["version"]})
            if case is not None:
                published[case["id"]] = case["version"]
            draft = None
        else:
            if not published:
                continue
            case_id = random.choice(list(published))
            case = soak.mutate(kind, "updateCase", UPDATE, {
                "id": case_id,
                "expectedVersion": published[case_id],
                "translations": [{"locale": "en", "title": f"[Synthetic] soak {case_id[-6:]}",
                                  "summary": f"[Synthetic] soak test, updated at {time.time():.3f}."}],
                "tags": ["soak"] + random.sample(TAGS[1:], 1),
            })
            if case is not None:
                published[case_id] = case["version"]
        next_at += interval
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            next_at = time.monotonic()  # behind: do not burst to catch up
    summary = soak.summary()
    with open(out + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(summary, handle)
    os.replace(out + ".tmp", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
