#!/usr/bin/env python3
"""The webhook endpoint of scripts/soak.sh (python3 stdlib only): answers every POST /hook
with 200 at once and counts what it received; it does not verify signatures
(scripts/webhooks.sh does that).

    python3 receiver.py PORT_FILE

Listens on 127.0.0.1, a free port, written to PORT_FILE once it listens. GET /stats answers
    {"posts": n, "messages": distinct webhook-ids, "duplicates": n (a webhook-id again),
     "missing_id": n, "bad_json": n, "types": {event type: n}, "strays": n (other paths)}
Runs until SIGTERM or SIGINT.
"""

import http.server
import json
import os
import signal
import sys
import threading

lock = threading.Lock()
seen = set()
stats = {"posts": 0, "messages": 0, "duplicates": 0, "missing_id": 0, "bad_json": 0, "types": {}, "strays": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a partner's endpoint would

    def answer(self, status, body=b"", content_type="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path != "/hook":
            with lock:
                stats["strays"] += 1
            self.answer(404)
            return
        message_id = self.headers.get("webhook-id")
        try:
            event_type = json.loads(raw).get("type", "?")
        except (ValueError, AttributeError):
            event_type = None
        with lock:
            stats["posts"] += 1
            if not message_id:
                stats["missing_id"] += 1
            elif message_id in seen:
                stats["duplicates"] += 1
            else:
                seen.add(message_id)
                stats["messages"] += 1
            if event_type is None:
                stats["bad_json"] += 1
            else:
                stats["types"][event_type] = stats["types"].get(event_type, 0) + 1
        self.answer(200, b"ok")

    def do_GET(self):
        if self.path != "/stats":
            self.answer(404)
            return
        with lock:
            body = json.dumps(stats).encode()
        self.answer(200, body, "application/json")

    def log_message(self, *args):
        pass


def main():
    if len(sys.argv) != 2:
        print("usage: python3 receiver.py PORT_FILE", file=sys.stderr)
        return 2
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[1] + ".tmp", "w", encoding="utf-8") as handle:
        handle.write(f"{server.server_address[1]}\n")
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    stop = lambda *_: threading.Thread(target=server.shutdown, daemon=True).start()  # noqa: E731
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
