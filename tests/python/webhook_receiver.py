"""A webhook receiver that is not ours: verifies each delivery with the `standardwebhooks`
package (the Standard Webhooks reference library) and records what it saw.

    python webhook_receiver.py SECRET [--fail-first N]

Listens on 127.0.0.1 on a free port and prints `listening on PORT` on one line. Every POST is
checked with `Webhook(SECRET).verify(body, headers)`: a bad signature is answered 400 and
recorded as failed; the first N verified deliveries are answered 503 (to exercise the
sender's retries) and the rest 204. `GET /log` answers the records as JSON:
[{"headers": {...}, "body": "...", "verified": true|false, "error": "...", "answered": 204}].
"""

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

RECORDS = []
LOCK = threading.Lock()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("secret")
    parser.add_argument("--fail-first", type=int, default=0)
    args = parser.parse_args()
    webhook = Webhook(args.secret)
    failures_left = [args.fail_first]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            headers = {k.lower(): v for k, v in self.headers.items()}
            record = {"headers": headers, "body": body, "path": self.path}
            try:
                webhook.verify(body, headers)
                record["verified"] = True
                with LOCK:
                    if failures_left[0] > 0:
                        failures_left[0] -= 1
                        status = 503
                    else:
                        status = 204
            except Exception as error:  # any verification failure is a refusal
                record["verified"] = False
                record["error"] = repr(error)
                status = 400
            record["answered"] = status
            with LOCK:
                RECORDS.append(record)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def do_GET(self):
            with LOCK:
                body = json.dumps(RECORDS).encode("utf-8")
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
