#!/usr/bin/env python3
"""The verdict and the report of scripts/soak.sh (python3 stdlib only).

    python3 report.py RUN_DIR [RELIABILITY_MD]

Reads what scripts/soak.sh left in RUN_DIR:
    meta.json         the run's settings and context (written by soak.sh);
    samples.csv       t_s,rss_kb,fds,threads,cpu_pct,pool_in_use,pool_idle,requests,ws_connections,
                      webhook_queue (one row every SOAK_SAMPLE_SECONDS during the load);
    reads.out         wrk's output (scripts/soak/reads.lua's READS lines);
    mutations.json    scripts/soak/mutations.py's summary;
    subscribers.json  scripts/soak/subscribers.mjs's last stats;
    receiver.json     scripts/soak/receiver.py's /stats after the drain;
    metrics-end.txt   the server's /metrics after the drain;
    server.log        the server's log (warn and above).
Prints the summary and the checks to standard output; with RELIABILITY_MD, also rewrites the
block between `<!-- soak.sh: begin -->` and `<!-- soak.sh: end -->` in that file.

The checks: RSS (median of the last 3 samples) at most +RSS_TOLERANCE_PCT % over RSS at the
end of the warm-up (median of the 3 samples ending there; a drop is fine); descriptors (same
medians) at most +FD_SLACK; no HTTP 5xx (wrk, the mutation loop, the server's own
http_requests_total); no GraphQL errors or socket errors in reads and mutations (userErrors are
reported, not failed); every change event of the mutation loop delivered to the webhook
receiver and to each keyed subscriber, and events to the anonymous one; no subscriber dropped;
no churn connection failed; the pool's in_use back to 0 once the load stopped; the server alive
at the end, with no panic in its log. Also reported: the least-squares slope of RSS over the
samples after the warm-up, in MB per minute.
Exit code: 0 every check passed, 1 one failed, 2 the run's files are unusable (or the markers
are missing from RELIABILITY_MD).
"""

import csv
import json
import os
import re
import statistics
import sys

BEGIN, END = "<!-- soak.sh: begin -->", "<!-- soak.sh: end -->"
DEFAULT_MIX = "page,search,statistics,slug"


def load_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return default


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def parse_reads(text):
    """{kinds: {kind: {requests, errors, status5xx}}, total: {...}, first_error}."""
    kinds, total, first_error = {}, {}, ""
    for line in text.splitlines():
        fields = dict(re.findall(r"(\w+)=(\S+)", line))
        if line.startswith("READS kind="):
            kinds[fields["kind"]] = {k: int(v) for k, v in fields.items() if k != "kind"}
        elif line.startswith("READS_TOTAL "):
            total = {k: float(v) for k, v in fields.items()}
        elif line.startswith("READS_FIRST_ERROR "):
            first_error = line[len("READS_FIRST_ERROR "):]
    return {"kinds": kinds, "total": total, "first_error": first_error}


def metric_lines(text, name):
    """[(labels dict, value)] of a Prometheus metric."""
    found = []
    for line in text.splitlines():
        if not line.startswith(name) or line.startswith("#"):
            continue
        match = re.match(rf"^{re.escape(name)}(?:\{{(.*)\}})?\s+(\S+)$", line)
        if match:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
            found.append((labels, float(match.group(2))))
    return found


def slope_per_minute(points):
    """Least-squares slope of (seconds, value) points, per minute; None under 2 points."""
    if len(points) < 2:
        return None
    xs = [t / 60 for t, _ in points]
    ys = [v for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def thin(rows, keep, must):
    """About `keep` rows, evenly spaced, always with the indexes in `must`."""
    if len(rows) <= keep:
        return list(range(len(rows)))
    step = (len(rows) - 1) / (keep - 1)
    chosen = {round(i * step) for i in range(keep)} | set(must)
    return sorted(i for i in chosen if 0 <= i < len(rows))


def n(value):
    return f"{int(value):,}"


def main():
    if len(sys.argv) not in (2, 3):
        print("usage: python3 report.py RUN_DIR [RELIABILITY_MD]", file=sys.stderr)
        return 2
    run_dir = sys.argv[1]
    target = sys.argv[2] if len(sys.argv) == 3 else None
    meta = load_json(os.path.join(run_dir, "meta.json"))
    if meta is None:
        print(f"report.py: no meta.json in {run_dir}", file=sys.stderr)
        return 2
    try:
        with open(os.path.join(run_dir, "samples.csv"), encoding="utf-8") as handle:
            samples = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]
    except (OSError, ValueError) as error:
        print(f"report.py: unreadable samples.csv: {error}", file=sys.stderr)
        return 2
    reads = parse_reads(read_text(os.path.join(run_dir, "reads.out")))
    mutations = load_json(os.path.join(run_dir, "mutations.json"), {})
    subs = load_json(os.path.join(run_dir, "subscribers.json"), {})
    receiver = load_json(os.path.join(run_dir, "receiver.json"), {})
    metrics = read_text(os.path.join(run_dir, "metrics-end.txt"))
    server_log = read_text(os.path.join(run_dir, "server.log"))

    duration = meta["duration"]
    warmup = meta["warmup"]
    tolerance = meta["rss_tolerance_pct"]
    fd_slack = meta["fd_slack"]
    checks = []  # (passed, text)

    def check(passed, text):
        checks.append((bool(passed), text))

    # --- resources -------------------------------------------------------------------------
    rss_mb = lambda row: row["rss_kb"] / 1024  # noqa: E731
    warm = [row for row in samples if row["t_s"] <= warmup + 0.5]
    after = [row for row in samples if row["t_s"] >= warmup - 0.5]
    verdict = {}
    if len(samples) >= 6 and len(warm) >= 3 and len(after) >= 3:
        warm3, end3 = warm[-3:], samples[-3:]
        rss_warm = statistics.median(rss_mb(r) for r in warm3)
        rss_end = statistics.median(rss_mb(r) for r in end3)
        fds_warm = statistics.median(r["fds"] for r in warm3)
        fds_end = statistics.median(r["fds"] for r in end3)
        threads_warm = statistics.median(r["threads"] for r in warm3)
        threads_end = statistics.median(r["threads"] for r in end3)
        growth = (rss_end - rss_warm) / rss_warm * 100
        slope = slope_per_minute([(r["t_s"], rss_mb(r)) for r in after])
        fd_slope = slope_per_minute([(r["t_s"], r["fds"]) for r in after])
        verdict = dict(rss_warm=rss_warm, rss_end=rss_end, growth=growth, fds_warm=fds_warm,
                       fds_end=fds_end, slope=slope, fd_slope=fd_slope, threads_warm=threads_warm,
                       threads_end=threads_end, warm_t=warm3[-1]["t_s"], end_t=end3[-1]["t_s"])
        check(growth <= tolerance,
              f"RSS: {rss_end:.1f} MB at the end vs {rss_warm:.1f} MB after warm-up: {growth:+.1f} % "
              f"(limit +{tolerance:g} %)")
        check(fds_end - fds_warm <= fd_slack,
              f"descriptors: {fds_end:g} at the end vs {fds_warm:g} after warm-up: {fds_end - fds_warm:+g} "
              f"(limit +{fd_slack:g})")
    else:
        check(False, f"too few samples for a verdict: {len(samples)} (the run ended early?)")

    # --- errors ----------------------------------------------------------------------------
    total = reads["total"]
    server_5xx = sum(v for labels, v in metric_lines(metrics, "http_requests_total")
                     if labels.get("status", "").startswith("5"))
    by_status = {}
    for labels, v in metric_lines(metrics, "http_requests_total"):
        by_status[labels.get("status", "?")] = by_status.get(labels.get("status", "?"), 0) + v
    reads_5xx = int(total.get("status5xx", 0))
    check(total.get("requests", 0) > 0, f"reads: {n(total.get('requests', 0))} answered")
    check(reads_5xx == 0 and mutations.get("status5xx", 0) == 0 and server_5xx == 0,
          f"HTTP 5xx: reads {reads_5xx}, mutations {mutations.get('status5xx', 0)}, "
          f"server's http_requests_total {server_5xx:g}")
    read_errors = int(total.get("errors", 0))
    socket_errors = int(total.get("socket_errors", 0))
    text = f"GraphQL/HTTP errors: reads {read_errors} (socket errors {socket_errors}), mutations {mutations.get('errors', 'n/a')}"
    if reads["first_error"]:
        text += f"; first read error: {reads['first_error'][:300]}"
    if mutations.get("first_error"):
        text += f"; first mutation error: {mutations['first_error'][:300]}"
    check(read_errors == 0 and socket_errors == 0 and mutations.get("errors", 1) == 0, text)
    expected = mutations.get("events_expected", 0)
    check(expected > 0, f"mutations: {n(expected)} succeeded, userErrors {mutations.get('user_errors', 'n/a')}"
          + (f" (first: {mutations['first_user_error'][:200]})" if mutations.get("first_user_error") else ""))

    # --- events ----------------------------------------------------------------------------
    messages = receiver.get("messages", 0)
    check(messages > 0 and messages >= expected,
          f"webhooks: {n(messages)} messages received of {n(expected)} change events "
          f"({n(receiver.get('posts', 0))} POSTs, {receiver.get('duplicates', 0)} repeated)")
    subscribers = subs.get("subscribers", [])
    check(bool(subscribers), f"subscribers: {len(subscribers)} opened")
    for sub in subscribers:
        if sub.get("keyed"):
            ok = sub.get("connected") and not sub.get("failure") and sub.get("events", 0) >= expected > 0
            want = f" of {n(expected)}"
        else:
            ok = sub.get("connected") and not sub.get("failure") and sub.get("events", 0) > 0
            want = " (published cases only)"
        text = f"subscriber {sub.get('label')}: {n(sub.get('events', 0))} events{want}"
        if sub.get("failure"):
            text += f"; dropped: {sub['failure']}"
        check(ok, text)
    churn = subs.get("churn", {})
    check(churn.get("opened", 0) > 0 and churn.get("failed", 1) == 0,
          f"connection churn: {n(churn.get('opened', 0))} opened and closed, {churn.get('failed', 'n/a')} failed"
          + (f" (first: {churn['firstFailure']})" if churn.get("firstFailure") else ""))

    # --- the server itself -----------------------------------------------------------------
    check(meta.get("pool_in_use_idle", -1) == 0,
          f"pool: {meta.get('pool_in_use_idle', -1):g} connections in use once the load stopped (expected 0)")
    panics = len(re.findall(r"panicked", server_log))
    errors_logged = len(re.findall(r"\bERROR\b", server_log))
    warnings_logged = len(re.findall(r"\bWARN\b", server_log))
    check(meta.get("server_alive") and panics == 0,
          f"server: {'running' if meta.get('server_alive') else 'NOT running'} at the end; log: {panics} panics, "
          f"{errors_logged} ERROR, {warnings_logged} WARN lines")

    passed = all(ok for ok, _ in checks)

    # --- the summary -----------------------------------------------------------------------
    kinds = reads["kinds"]
    muts = mutations.get("requests", {})
    lines = []
    lines.append(f"Run of {meta['started_utc']} on `{meta['host']}` ({meta['cpu']}, {meta['cores']} cores, "
                 f"load average {meta['load_start']} at the start, {meta.get('load_end', '?')} at the end); "
                 f"binary `{meta['binary']}` ({meta['version']}, built {meta.get('built', '?')}; repository at "
                 f"{meta['commit']} when it ran).")
    lines.append("")
    lines.append("```sh")
    lines.append(meta["command"])
    lines.append("```")
    lines.append("")
    lines.append(f"- **Setup**: one server (`serve --no-samples --redis-url {meta['redis_url']} "
                 f"--webhook-allow-private-targets`) on a fresh PostgreSQL database with "
                 f"{n(meta['cases'])} synthetic cases (`seed --seed 7`), budgets shared in Redis; one "
                 f"webhook (`--include-drafts`) to a local receiver answering 200.")
    lines.append(f"- **Duration**: {duration:g} s of load, warm-up {warmup:g} s, a sample every "
                 f"{meta['sample_seconds']:g} s.")
    lines.append(
        f"- **Reads** (wrk, {meta['read_connections']} connections, {meta['read_delay_ms']} ms between "
        f"requests{', only ' + meta['read_mix'] if meta.get('read_mix', DEFAULT_MIX) != DEFAULT_MIX else ''}"
        f"): {n(total.get('requests', 0))} — pages {n(kinds.get('page', {}).get('requests', 0))}, "
        f"search {n(kinds.get('search', {}).get('requests', 0))}, statistics "
        f"{n(kinds.get('statistics', {}).get('requests', 0))}, by slug {n(kinds.get('slug', {}).get('requests', 0))}; "
        f"{total.get('rps', 0):.1f} req/s, p50 {total.get('p50_ms', 0):.1f} ms, p99 {total.get('p99_ms', 0):.1f} ms, "
        f"max {total.get('max_ms', 0):.0f} ms.")
    lines.append(
        f"- **Mutations** ({meta['mutation_rate']:g}/s): {n(mutations.get('total', 0))} — create "
        f"{n(muts.get('create', 0))}, update {n(muts.get('update_draft', 0) + muts.get('update_published', 0))}, "
        f"publish {n(muts.get('publish', 0))}; p50 {mutations.get('p50_ms', 0):.1f} ms, p99 "
        f"{mutations.get('p99_ms', 0):.1f} ms; userErrors {mutations.get('user_errors', 'n/a')}.")
    lines.append(
        f"- **WebSockets**: {len(subscribers)} subscribers connected throughout; "
        f"{n(churn.get('opened', 0))} more connections opened and closed (every "
        f"{meta['churn_ms']} ms: clean, abrupt, without `complete`, without `connection_init`).")
    lines.append(
        f"- **Server**: {n(sum(by_status.values()))} HTTP requests by status "
        + ", ".join(f"{k}: {n(v)}" for k, v in sorted(by_status.items())) + ".")
    lines.append(
        f"- **Events delivered**: webhooks {n(messages)} messages of {n(expected)} change events "
        f"({n(receiver.get('posts', 0))} POSTs); subscription events "
        + ", ".join(f"{s.get('label')} {n(s.get('events', 0))}" for s in subscribers) + ".")
    lines.append("")
    lines.append("| t (s) | RSS (MB) | fds | threads | CPU (% of a core) | pool in use / idle | requests |")
    lines.append("|---:|---:|---:|---:|---:|---:|---:|")
    must = []
    if verdict:
        must = [i for i, row in enumerate(samples) if row["t_s"] == verdict["warm_t"]]
    for i in thin(samples, 12, must + [len(samples) - 1]):
        row = samples[i]
        mark = " (warm-up end)" if verdict and row["t_s"] == verdict["warm_t"] else ""
        lines.append(f"| {row['t_s']:g}{mark} | {rss_mb(row):.1f} | {row['fds']:g} | {row['threads']:g} | "
                     f"{row['cpu_pct']:.0f} | {row['pool_in_use']:g} / {row['pool_idle']:g} | {n(row['requests'])} |")
    lines.append("")
    lines.append(f"**Verdict: {'PASS' if passed else 'FAIL'}**")
    lines.append("")
    if verdict:
        lines.append(f"- RSS at the end vs after warm-up (medians of 3 samples): {verdict['rss_end']:.1f} vs "
                     f"{verdict['rss_warm']:.1f} MB, {verdict['growth']:+.1f} % (limit +{tolerance:g} %).")
        lines.append(f"- Descriptors at the end vs after warm-up: {verdict['fds_end']:g} vs {verdict['fds_warm']:g}, "
                     f"{verdict['fds_end'] - verdict['fds_warm']:+g} (limit +{fd_slack:g}); threads "
                     f"{verdict['threads_end']:g} vs {verdict['threads_warm']:g}.")
        slope = verdict["slope"]
        lines.append(f"- RSS slope after warm-up (least squares): "
                     + (f"{slope:+.3f} MB/min" if slope is not None else "n/a")
                     + (f"; descriptors {verdict['fd_slope']:+.3f}/min." if verdict["fd_slope"] is not None else "."))
    for ok, text in checks:
        if not ok:
            lines.append(f"- FAILED: {text}")
    block = "\n".join(lines)

    print(block)
    print()
    print("Checks:")
    for ok, text in checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    print(f"Samples: {os.path.join(run_dir, 'samples.csv')}")

    if target:
        try:
            with open(target, encoding="utf-8") as handle:
                document = handle.read()
        except OSError as error:
            print(f"report.py: cannot read {target}: {error}", file=sys.stderr)
            return 2
        start, end = document.find(BEGIN), document.find(END)
        if start < 0 or end < start:
            print(f"report.py: the markers {BEGIN} … {END} are missing from {target}", file=sys.stderr)
            return 2
        document = document[: start + len(BEGIN)] + "\n" + block + "\n" + document[end:]
        with open(target + ".soak.tmp", "w", encoding="utf-8") as handle:
            handle.write(document)
        os.replace(target + ".soak.tmp", target)
        print(f"Wrote the soak block of {target}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
