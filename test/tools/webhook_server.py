#!/usr/bin/env python3
"""A local webhook receiver for the tests and the benchmark (127.0.0.1 only).

    webhook_server.py PORT MODE_FILE LOG_FILE SECRET

Answers each POST as MODE_FILE says at that moment: 200, 500, 429,
'hang' (sleeps 30 s before answering), 'hang10' (hangs for every tenth
notification id, answers 200 to the others), 'hang1in10' (hangs on every
tenth request received, whoever sends it and whatever it carries, so a
retry usually gets through; answers 200 to the others), or 'slow10' (answers 200:
to the first send of every tenth notification id after 3 s, to the others
after 0.3 s). Appends one JSON line per request to
LOG_FILE: time, notification id, attempt, idempotency key, whether the
X-Stormops-Signature is the HMAC-SHA256 of the body under SECRET, the status
answered. Python's standard library only (Debian's python3)."""
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, mode_file, log_file, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4].encode()
lock = threading.Lock()
received = 0   # requests so far, for hang1in10


class Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        global received
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(mode_file) as f:
            mode = f.read().strip() or "200"
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        record = {
            "at": time.time(),
            "notification": self.headers.get("X-Stormops-Notification"),
            "attempt": self.headers.get("X-Stormops-Attempt"),
            "key": self.headers.get("Idempotency-Key"),
            "signature_ok": hmac.compare_digest(expected, self.headers.get("X-Stormops-Signature", "")),
            "json_ok": isinstance(json.loads(body), dict),
            "mode": mode,
        }
        with lock, open(log_file, "a") as f:
            received += 1
            record["request"] = received
            f.write(json.dumps(record) + "\n")
        if mode == "hang" or (mode == "hang10" and int(record["notification"] or 0) % 10 == 0) \
                or (mode == "hang1in10" and record["request"] % 10 == 0):
            time.sleep(30)
            status = 200
        elif mode == "slow10":
            first = record["attempt"] == "1"
            time.sleep(3 if first and int(record["notification"] or 0) % 10 == 0 else 0.3)
            status = 200
        elif mode in ("hang10", "hang1in10"):
            status = 200
        else:
            status = int(mode)
        try:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            pass


ThreadingHTTPServer.daemon_threads = True
# a client that gave up (its timeout) resets the connection: not an error here
ThreadingHTTPServer.handle_error = lambda self, request, client_address: None
ThreadingHTTPServer.request_queue_size = 1024   # the default backlog of 5 resets bursts of connections
ThreadingHTTPServer(("127.0.0.1", port), Hook).serve_forever()
