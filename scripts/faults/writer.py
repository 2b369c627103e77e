#!/usr/bin/env python3
"""Write load of scripts/faults.sh: THREADS threads each create draft cases through the
proxy (`createCase`, slugs PREFIX-<thread>-<n>), one after the other with PAUSE_S between
them, until SIGTERM. A write that gets no answer, or a 503 (`UNAVAILABLE`: nothing was
done), a 502 or a 504 is sent again with the same slug after Retry-After (0.5 s without
one); a 500 or an `INTERNAL` error too (its fate is unknown; the next try settles it). A write is acknowledged by
HTTP 200 without `errors` and without `userErrors`, or by the `DUPLICATE` userError on its
slug: the slugs are unique to the run, so an earlier try (the writer's, or the proxy's
replay of one whose answer was lost) was committed. On SIGTERM each thread finishes the
write it is on (retries included, for at most 30 s) and stops.

    writer.py URL KEY PREFIX OUT.json [THREADS [PAUSE_S]]

OUT.json: {"attempts", "acknowledged", "counts" (every HTTP answer by "status code", "000
<exception>" when none came), "slugs" (acknowledged), "unsettled" (never acknowledged),
"duplicate_first" (slugs answered DUPLICATE on the writer's first try: the proxy replayed
the request after a lost answer; the slugs are unique to the run), "duplicate_after" (how
many DUPLICATEs came after which earlier answers), "retry_after" (the Retry-After values of
the 503s), "other_failures", "log" (time, slug and answer of the first 500 answers other
than a clean 200)}.
"""

import json
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

url, key, prefix, out = sys.argv[1:5]
threads_n = int(sys.argv[5]) if len(sys.argv) > 5 else 2
pause = float(sys.argv[6]) if len(sys.argv) > 6 else 0.05
finish_within = 30.0

MUTATION = ("mutation($input: CreateCaseInput!) { createCase(input: $input) "
            "{ case { id slug version } userErrors { field code message } } }")

stopping = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stopping.set())
signal.signal(signal.SIGINT, lambda *_: stopping.set())

lock = threading.Lock()
last_error = {}  # per thread: the last error other than UNAVAILABLE, for the log
result = {"attempts": 0, "acknowledged": 0, "counts": {}, "slugs": [], "unsettled": [],
          "duplicate_first": [], "duplicate_after": {}, "retry_after": {},
          "other_failures": [], "log": []}


def count(key_):
    with lock:
        result["attempts"] += 1
        result["counts"][key_] = result["counts"].get(key_, 0) + 1


def attempt(slug):
    """One try: (status, error code or '-', userError codes, retry-after seconds)."""
    payload = {"query": MUTATION, "variables": {"input": {
        "slug": slug, "collection": "wic-cbec-2025", "category": "logistics-integration",
        "isSample": True,
        "translations": [{"locale": "en", "title": "[Synthetic] fault test " + slug,
                          "summary": "[Synthetic] written by the fault suite."}],
        "countries": ["CN"], "tags": ["fault"]}}}
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": "Bearer " + key})
    retry_after = None
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
        retry_after = err.headers.get("Retry-After")
    except Exception as err:  # no HTTP answer
        return 0, type(err).__name__, [], None
    try:
        doc = json.loads(raw)
    except ValueError:
        return status, "NOT_JSON", [], retry_after
    errors = doc.get("errors") or []
    code = str((errors[0].get("extensions") or {}).get("code") or "ERROR") if errors else "-"
    if errors and code not in ("UNAVAILABLE",):
        last_error[threading.get_ident()] = errors[0]
    payload = (doc.get("data") or {}).get("createCase")
    user_errors = [e.get("code") for e in (payload or {}).get("userErrors") or []]
    # A payload with no userErrors means the write was committed, even when reading the
    # case back for the payload then met the outage (an UNAVAILABLE error at
    # createCase.case, HTTP 200): the server only answers 503 when nothing was done.
    if status == 200 and payload is not None and not user_errors and code == "UNAVAILABLE":
        code = "-"
    return status, code, user_errors, retry_after


def run(thread_no):
    n = 0
    while not stopping.is_set():
        n += 1
        slug = f"{prefix}-{thread_no}-{n}"
        tries, settled, give_up_at, earlier = 0, False, None, []
        while True:
            tries += 1
            status, code, user_errors, retry_after = attempt(slug)
            label = f"{status:03d} {code}" + (f" userErrors:{','.join(user_errors)}" if user_errors else "")
            count(label)
            if label != "200 -":
                with lock:
                    if len(result["log"]) < 500:
                        entry = [round(time.time(), 3), slug, label]
                        error = last_error.pop(threading.get_ident(), None)
                        if error:
                            entry.append(error)
                        result["log"].append(entry)
            if status == 503:
                with lock:
                    k = str(retry_after)
                    result["retry_after"][k] = result["retry_after"].get(k, 0) + 1
            if status == 200 and code == "-" and not user_errors:
                settled = True
            elif status == 200 and code == "-" and user_errors == ["DUPLICATE"]:
                settled = True  # an earlier try (the writer's or the proxy's replay) committed
                with lock:
                    if tries == 1:
                        result["duplicate_first"].append(slug)
                    else:
                        k = " + ".join(sorted(set(earlier)))
                        result["duplicate_after"][k] = result["duplicate_after"].get(k, 0) + 1
            elif status in (0, 500, 502, 503, 504) or code == "INTERNAL":
                earlier.append(label)
                if stopping.is_set():
                    give_up_at = give_up_at or time.time() + finish_within
                    if time.time() > give_up_at:
                        break
                try:
                    wait = float(retry_after) if retry_after else 0.5
                except ValueError:
                    wait = 0.5
                time.sleep(min(wait, 5.0))
                continue
            else:
                with lock:
                    result["other_failures"].append({"slug": slug, "answer": label})
                break
            break
        with lock:
            if settled:
                result["acknowledged"] += 1
                result["slugs"].append(slug)
            else:
                result["unsettled"].append(slug)
        if not stopping.is_set():
            time.sleep(pause)


workers = [threading.Thread(target=run, args=(i,)) for i in range(1, threads_n + 1)]
for w in workers:
    w.start()
while any(w.is_alive() for w in workers):
    for w in workers:
        w.join(0.2)
with open(out, "w") as f:
    json.dump(result, f)
