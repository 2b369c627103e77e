#!/usr/bin/env python3
"""Probe of scripts/faults.sh: asks the proxy `{ cases(first: 1) { totalCount } }` every
100 ms (the next one right away when an answer took longer) until SIGTERM, and writes one
line per request to OUT: `start end status code` (epoch seconds; status 0 when no HTTP
answer came: a refused or reset connection, a timeout).

    probe.py URL KEY OUT [PERIOD_S]
"""

import json
import signal
import sys
import time
import urllib.error
import urllib.request

url, key, out = sys.argv[1], sys.argv[2], sys.argv[3]
period = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
body = json.dumps({"query": "{ cases(first: 1) { totalCount } }"}).encode()
stopping = False


def stop(*_):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)


def error_code(raw):
    try:
        doc = json.loads(raw)
    except ValueError:
        return "NOT_JSON"
    errors = doc.get("errors") if isinstance(doc, dict) else None
    if not errors:
        return "-"
    return str((errors[0].get("extensions") or {}).get("code") or "ERROR")


with open(out, "w", buffering=1) as log:
    next_at = time.time()
    while not stopping:
        start = time.time()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Authorization": "Bearer " + key})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                status, code = response.status, error_code(response.read())
        except urllib.error.HTTPError as err:
            status, code = err.code, error_code(err.read())
        except Exception as err:  # no HTTP answer at all
            status, code = 0, type(err).__name__
        end = time.time()
        log.write(f"{start:.3f} {end:.3f} {status} {code}\n")
        next_at = max(next_at + period, end)
        pause = next_at - time.time()
        if pause > 0 and not stopping:
            time.sleep(pause)
