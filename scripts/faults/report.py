#!/usr/bin/env python3
"""Judges and reports a run of scripts/faults.sh: reads what each phase left in
WORK/phases/<n>-<name>/ (reads.out from wrk, writes.json from writer.py, probe.log from
probe.py, events.tsv from the script), asks the proxy which of the acknowledged writes
exist, prints the Markdown block (table, then what each phase did and saw) and, when
FAULTS_MARKDOWN names a file, rewrites its block between `<!-- faults.sh: begin -->` and
`<!-- faults.sh: end -->`.

    report.py WORK

Environment: FAULTS_PROXY_URL (…/graphql), FAULTS_KEY (read:drafts), FAULTS_MARKDOWN,
FAULTS_RECOVERY_LIMIT_S (10), FAULTS_REDIS_P99_SLACK_MS (250). Exit 0: every check passed;
1: one failed (the reasons are printed on standard error).
"""

import json
import os
import re
import sys
import urllib.request
from pathlib import Path

work = Path(sys.argv[1])
proxy_url = os.environ["FAULTS_PROXY_URL"]
key = os.environ["FAULTS_KEY"]
recovery_limit = float(os.environ.get("FAULTS_RECOVERY_LIMIT_S", "10"))
redis_slack_ms = float(os.environ.get("FAULTS_REDIS_P99_SLACK_MS", "250"))
markdown = os.environ.get("FAULTS_MARKDOWN", "")

TITLES = {
    "postgres": "PostgreSQL restart",
    "redis": "Redis down",
    "deploy": "Replicas stopped in a rolling deploy (SIGTERM)",
    "import": "Import killed (SIGKILL)",
    "kill": "Replica killed mid-mutation (SIGKILL)",
}


def read_events(path):
    events = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "\t" in line:
                name, value = line.split("\t", 1)
                events[name] = value
    return events


def read_reads(path):
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith("READS "):
                return json.loads(line[6:])
    return None


def read_probe(path):
    rows = []
    if path.exists():
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) == 4:
                rows.append((float(parts[0]), float(parts[1]), int(parts[2]), parts[3]))
    return rows


def ok(row):
    return row[2] == 200 and row[3] == "-"


def percentile(values, p):
    if not values:
        return None
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[k]


def recovered_after(probes, t, run=5):
    """Seconds from t to the answer of the first of `run` consecutive good probes ending
    after t; None when there is no such run."""
    after = [r for r in probes if r[1] >= t]
    for i in range(len(after) - run + 1):
        if all(ok(r) for r in after[i:i + run]):
            return max(0.0, after[i][1] - t)
    return None


def longest_outage(probes, run=5):
    """Longest time from a failed probe's start to the answer of the first of `run`
    consecutive good probes after it (0 when no probe failed); None if one never ended."""
    worst, i, n = 0.0, 0, len(probes)
    while i < n:
        if ok(probes[i]):
            i += 1
            continue
        start, j = probes[i][0], i + 1
        while j <= n - run and not all(ok(r) for r in probes[j:j + run]):
            j += 1
        if j > n - run:
            return None
        worst = max(worst, probes[j][1] - start)
        i = j + run
    return worst


def gql(query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(proxy_url, data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": "Bearer " + key})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def existing_fault_slugs():
    slugs, after = set(), None
    query = ("query($after: String) { cases(first: 100, after: $after, "
             "filter: {statuses: [DRAFT], tags: [\"fault\"]}) "
             "{ pageInfo { hasNextPage endCursor } nodes { slug } } }")
    while True:
        doc = gql(query, {"after": after})
        if doc.get("errors"):
            raise RuntimeError(f"listing the fault cases failed: {doc['errors']}")
        page = doc["data"]["cases"]
        slugs.update(n["slug"] for n in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return slugs
        after = page["pageInfo"]["endCursor"]


def fmt_s(x):
    return "—" if x is None else f"{x:.1f}"


def merge(counter, key_, n):
    counter[key_] = counter.get(key_, 0) + n


meta = read_events(work / "meta.tsv")
phase_dirs = sorted(p for p in (work / "phases").iterdir() if p.is_dir()) \
    if (work / "phases").exists() else []

failures = []
try:
    present = existing_fault_slugs()
    listing_error = None
except Exception as err:  # the check itself could not run: a failure, not a pass
    present, listing_error = set(), str(err)
    failures.append(f"could not list the fault cases to check the writes: {err}")

rows, notes, all_acked, all_lost = [], [], 0, 0
for pdir in phase_dirs:
    name = pdir.name.split("-", 1)[1]
    title = TITLES.get(name, name)
    ev = read_events(pdir / "events.tsv")
    reads = read_reads(pdir / "reads.out")
    probes = read_probe(pdir / "probe.log")
    writes_path = pdir / "writes.json"
    writes = json.loads(writes_path.read_text()) if writes_path.exists() else None
    problems = []

    sent = succeeded = 0
    failed, proxy_made = {}, {}
    by_source = {"reads": {}, "writes": {}, "probe": {}}
    if reads is None:
        problems.append("wrk left no summary")
    else:
        sock = reads["socket_errors"]
        sent += reads["requests"] + sock["connect"] + sock["write"] + sock["timeout"]
        for k, v in reads["counts"].items():
            if k == "200 -":
                succeeded += v
            else:
                merge(failed, k, v)
                merge(by_source["reads"], k, v)
        for k, v in reads.get("proxy", {}).items():
            merge(proxy_made, k, v)
        for kind in ("connect", "read", "write", "timeout"):
            if sock[kind]:
                merge(failed, f"no answer ({kind} error)", sock[kind])
                merge(by_source["reads"], f"no answer ({kind} error)", sock[kind])
    if writes is None:
        problems.append("the writer left no summary")
        writes = {"attempts": 0, "counts": {}, "slugs": [], "acknowledged": 0,
                  "duplicate_first": [], "duplicate_after": {}, "other_failures": [],
                  "unsettled": [], "retry_after": {}}
    sent += writes["attempts"]
    for k, v in writes["counts"].items():
        if k == "200 -" or k.startswith("200 - userErrors:DUPLICATE"):
            succeeded += v
        elif k.startswith("000 "):
            merge(failed, f"no answer ({k[4:]})", v)
            merge(by_source["writes"], f"no answer ({k[4:]})", v)
        else:
            merge(failed, k, v)
            merge(by_source["writes"], k, v)
    sent += len(probes)
    for r in probes:
        if ok(r):
            succeeded += 1
        elif r[2] == 0:
            merge(failed, f"no answer ({r[3]})", 1)
            merge(by_source["probe"], f"no answer ({r[3]})", 1)
        else:
            merge(failed, f"{r[2]} {r[3]}", 1)
            merge(by_source["probe"], f"{r[2]} {r[3]}", 1)

    status_500 = sum(v for k, v in failed.items() if k.startswith("500 "))
    acked = writes["slugs"]
    lost = sorted(s for s in acked if s not in present) if listing_error is None else []
    all_acked += len(acked)
    all_lost += len(lost)
    if status_500:
        problems.append(f"{status_500} responses with status 500")
    if lost:
        problems.append(f"{len(lost)} acknowledged writes missing: {', '.join(lost[:10])}")
    if writes.get("other_failures"):
        problems.append("writes refused for a reason other than an outage: "
                        + "; ".join(f"{f['slug']}: {f['answer']}" for f in writes["other_failures"][:5]))

    outage = longest_outage(probes)
    t = lambda k: float(ev[k]) if k in ev else None  # noqa: E731
    detail = []
    if name == "postgres":
        recovery = recovered_after(probes, t("pg_accepting")) if t("pg_accepting") else None
        detail.append(f"PostgreSQL down {t('pg_accepting') - t('pg_stopped'):.1f} s"
                      if t("pg_accepting") and t("pg_stopped") else "PostgreSQL did not come back")
        unexpected = {k: v for k, v in failed.items() if k != "503 UNAVAILABLE"}
        if unexpected:
            problems.append("failures other than 503 UNAVAILABLE during the outage: "
                            + ", ".join(f"{k}: {v}" for k, v in sorted(unexpected.items())))
        ra = writes.get("retry_after", {})
        if ra:
            detail.append("Retry-After on the writes' 503s: "
                          + ", ".join(f"`{k}` ×{v}" for k, v in sorted(ra.items())))
            if set(ra) - {"2"}:
                problems.append(f"a 503 without `Retry-After: 2`: {ra}")
    elif name == "redis":
        recovery = (t("redis_shared_again") - t("redis_up")) \
            if t("redis_shared_again") and t("redis_up") else None
        before = [r[1] - r[0] for r in probes if t("begin") <= r[0] < t("redis_down")]
        during = [r[1] - r[0] for r in probes if t("redis_down") <= r[0] < t("redis_up")]
        p_before, p_during = percentile(before, 99), percentile(during, 99)
        if p_before is not None and p_during is not None:
            detail.append(f"probe p99 {p_before * 1000:.0f} ms before the outage, "
                          f"{p_during * 1000:.0f} ms during it ({len(during)} probes)")
            if p_during * 1000 > p_before * 1000 + redis_slack_ms:
                problems.append(f"probe p99 rose from {p_before * 1000:.0f} ms to "
                                f"{p_during * 1000:.0f} ms while Redis was down "
                                f"(more than {redis_slack_ms:.0f} ms added)")
        for r in ("a", "b"):
            fb0, fb1 = ev.get(f"fallbacks_{r}_before"), ev.get(f"fallbacks_{r}_after")
            shared = ev.get(f"shared_{r}_during")
            detail.append(f"replica {r.upper()}: `rate_limit_budget_fallbacks_total` {fb0} → {fb1}, "
                          f"`rate_limit_budgets_shared` {shared} during the outage")
            if not (fb0 and fb1 and float(fb1) >= float(fb0) + 1 and shared == "0"):
                problems.append(f"replica {r.upper()} did not report the fallback to memory "
                                f"(fallbacks {fb0} → {fb1}, shared {shared})")
        detail.append(f"fallback warnings logged: A {ev.get('warn_a', '?')}, B {ev.get('warn_b', '?')}")
        if failed:
            problems.append("requests failed while Redis was down: "
                            + ", ".join(f"{k}: {v}" for k, v in sorted(failed.items())))
    elif name == "deploy":
        recovery = outage
        for r in ("a", "b"):
            code, drained = ev.get(f"{r}_exit_code"), None
            if t(f"{r}_exit") and t(f"{r}_term"):
                drained = t(f"{r}_exit") - t(f"{r}_term")
            back = (t(f"{r}_up") - t(f"{r}_restart")) if t(f"{r}_up") and t(f"{r}_restart") else None
            detail.append(f"replica {r.upper()}: exit code {code} {fmt_s(drained)} s after SIGTERM, "
                          f"back in the proxy {fmt_s(back)} s after its restart")
            if code != "0":
                problems.append(f"replica {r.upper()} exited with {code} after SIGTERM")
            if back is None:
                problems.append(f"replica {r.upper()} did not come back")
        if failed:
            problems.append("requests failed during the rolling deploy: "
                            + ", ".join(f"{k}: {v}" for k, v in sorted(failed.items())))
    elif name == "import":
        recovery = outage
        detail.append(f"import file: {ev.get('import_cases', '?')} cases "
                      f"({ev.get('import_attempts', '?')} attempt(s)); killed "
                      f"{ev.get('import_age', '?')} s into its transaction, after it had begun writing (a "
                      f"transaction id assigned), still running "
                      f"(exit status {ev.get('import_status', '?')}, its database session gone "
                      f"{ev.get('import_session_gone', '?')} s later)")
        detail.append(f"cases (the suite's own writes aside) before/after: "
                      f"{ev.get('cases_before', '?')}/{ev.get('cases_after', '?')}; export digest "
                      f"{ev.get('digest_before', '?')[:12]} / {ev.get('digest_after', '?')[:12]}")
        if ev.get("import_killed_running") != "1":
            problems.append("the import was not killed while running")
        if ev.get("digest_before") is None or ev.get("digest_before") != ev.get("digest_after") \
                or ev.get("titles_before") != ev.get("titles_after") \
                or ev.get("cases_before") != ev.get("cases_after"):
            problems.append("the killed import changed the database")
    elif name == "kill":
        recovery = outage
        back = (t("b_up") - t("b_restart")) if t("b_up") and t("b_restart") else None
        detail.append(f"replica B killed with {ev.get('b_sessions', '?')} request(s) of the proxy "
                      f"in flight on it, exit status {ev.get('b_status', '?')}; "
                      f"back in the proxy {fmt_s(back)} s after its restart")
        if back is None:
            problems.append("replica B did not come back")
    else:
        recovery = outage
    if reads and reads.get("paths"):
        detail.append("reads' errors by path: " + ", ".join(
            f"`{k}` ×{v}" for k, v in sorted(reads["paths"].items())))
    for entry in writes.get("log", []):
        if len(entry) > 3:
            detail.append(f"write {entry[1]} answered {entry[2]}: `{json.dumps(entry[3])}`")
    if failed:
        detail.append("failures by source: " + "; ".join(
            f"{src} " + ", ".join(f"{k} ×{v}" for k, v in sorted(c.items()))
            for src, c in by_source.items() if c))
    if "verify" in ev:
        detail.append(f"`casegraph verify` exit {ev['verify']}")
        if ev["verify"] != "0":
            problems.append(f"`casegraph verify` exited with {ev['verify']} after the phase")
    if writes.get("duplicate_first"):
        detail.append(f"{len(writes['duplicate_first'])} writes answered DUPLICATE on their first "
                      "try from the writer (the proxy had replayed them after a lost answer)")
    dup_after = writes.get("duplicate_after") or {}
    if dup_after:
        detail.append("writes found committed (DUPLICATE) when tried again after "
                      + ", ".join(f"{k} (×{v})" for k, v in sorted(dup_after.items())))
        for k, v in dup_after.items():
            answers = set(k.split(" + "))
            if answers == {"503 UNAVAILABLE"}:
                problems.append(f"{v} write(s) answered only `503 UNAVAILABLE` had been committed: "
                                "a 503 must mean that nothing was done")
            elif any("INTERNAL" in a or a.startswith("500 ") for a in answers):
                problems.append(f"{v} write(s) answered `{k}` had been committed (an error "
                                "answer for a committed write)")
    if writes.get("unsettled"):
        detail.append(f"{len(writes['unsettled'])} writes never acknowledged (not counted as lost)")
    if outage is not None and name not in ("deploy", "import", "kill"):
        detail.append(f"longest probe outage {outage:.1f} s")
    if recovery is None:
        problems.append("no recovery measured (the probe never saw 5 good answers in a row)")
    elif recovery > recovery_limit:
        problems.append(f"recovery took {recovery:.1f} s (limit {recovery_limit:.0f} s)")

    failed_text = "; ".join(
        f"{k}: {v}" + (f" ({proxy_made[k]} from the proxy)" if proxy_made.get(k) else "")
        for k, v in sorted(failed.items(), key=lambda kv: -kv[1])) or "none"
    result = "pass" if not problems else "**FAIL**"
    rows.append(f"| {title} | {sent} | {succeeded} | {failed_text} | {status_500} | "
                f"{len(lost)} of {len(acked)} | {fmt_s(recovery)} | {result} |")
    notes.append((title, detail, problems))
    failures.extend(f"{title}: {p}" for p in problems)

final_verify = meta.get("final_verify")
if final_verify != "0":
    failures.append(f"the final `casegraph verify` exited with {final_verify}")
if not phase_dirs:
    failures.append("no phase ran")

DESCRIPTIONS = {
    "PostgreSQL restart": "`pg_ctl stop -m fast` under load, {pg_down} s down, `pg_ctl start`. "
    "Recovery: from PostgreSQL accepting connections again to the answer of the first of 5 "
    "consecutive good probes. Every failed request must be 503 `UNAVAILABLE` "
    "(`Retry-After: 2`), from a replica or from the proxy once both replicas' /readyz say 503.",
    "Redis down": "`SHUTDOWN NOSAVE` of the suite's Redis, {redis_down} s down, then started "
    "again. No request may fail and the probe's p99 may rise by at most {slack} ms; each "
    "replica must count a fallback and report budgets unshared. Recovery: from Redis "
    "answering to both replicas reporting `rate_limit_budgets_shared 1` again.",
    "Replicas stopped in a rolling deploy (SIGTERM)": "SIGTERM to replica A (`--drain-seconds 10`), "
    "wait for it to exit, start it, wait until the proxy has it back; then the same for B. No "
    "request may fail. Recovery: the longest probe outage (0: the probe never failed).",
    "Import killed (SIGKILL)": "`casegraph export`, every title of every case changed in the file "
    "(more copies of the cases if an import finished before it could be killed), "
    "`casegraph import` killed with SIGKILL once its transaction had written and run at least "
    "{kill_after} s. The "
    "cases (the suite's own writes aside), their titles and the whole export must be "
    "unchanged, and `casegraph verify` must pass. Recovery: the longest probe outage.",
    "Replica killed mid-mutation (SIGKILL)": "SIGKILL to replica B while the writes run, once "
    "the proxy has a request in flight on it, then started again. Recovery: the longest probe outage; `casegraph verify` must pass.",
}

out = []
out.append(f"Latest run: {meta.get('date', '?')} on `{meta.get('host', '?')}` "
           f"({meta.get('cpu', '?')}, {meta.get('cores', '?')} cores), "
           f"`{meta.get('version', '?')}` ({meta.get('build', 'debug')} build), "
           f"commit `{meta.get('commit', '?')}`{meta.get('tree', '')}. Command:")
out.append("")
out.append("```sh")
out.append(meta.get("command", "bash scripts/faults.sh"))
out.append("```")
out.append("")
out.append(f"{meta.get('form', '')}")
out.append("")
out.append("| Fault | Requests sent | Succeeded | Failed (status code: count) | Status 500 "
           "| Lost writes (of acknowledged) | Recovery (s) | Result |")
out.append("|---|---:|---:|---|---:|---:|---:|---|")
out.extend(rows)
out.append("")
verdict = "pass" if not failures else "**FAIL**"
out.append(f"Overall: {verdict}. {all_acked} writes acknowledged, {all_lost} of them missing "
           f"afterwards; `casegraph verify` after the last phase: exit {final_verify}."
           + (f" ({listing_error})" if listing_error else ""))
out.append("")
out.append("Requests are wrk's reads, the writer's `createCase` attempts (retries included) "
           "and the probe's; \"succeeded\" is HTTP 200 without `errors` (for a write, also a "
           "`DUPLICATE` that proves an earlier try was committed). `no answer` is a connection "
           "refused, reset or timed out.")
out.append("")
fmtargs = {"pg_down": meta.get("pg_down", "?"), "redis_down": meta.get("redis_down", "?"),
           "slack": f"{redis_slack_ms:.0f}", "kill_after": meta.get("import_kill_after", "?")}
for title, detail, problems in notes:
    line = f"- **{title}**: " + DESCRIPTIONS.get(title, "").format(**fmtargs)
    if detail:
        line += " Seen: " + "; ".join(detail) + "."
    if problems:
        line += " Failed: " + "; ".join(problems) + "."
    out.append(line)
block = "\n".join(out)
print(block)

if markdown:
    path = Path(markdown)
    text = path.read_text()
    pattern = re.compile(r"(<!-- faults\.sh: begin -->\n).*?(<!-- faults\.sh: end -->)", re.S)
    if not pattern.search(text):
        failures.append(f"no faults.sh block in {markdown}")
    else:
        path.write_text(pattern.sub(lambda m: m.group(1) + block + "\n" + m.group(2), text, count=1))
        print(f"\n(rewrote the faults.sh block of {markdown})", file=sys.stderr)

if failures:
    print("\nfaults.sh: FAILED:", file=sys.stderr)
    for f in failures:
        print(f"  - {f}", file=sys.stderr)
    sys.exit(1)
