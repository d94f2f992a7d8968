"""A webhook receiver for the process tests: appends one JSON line per delivery to LOG
(webhook-id, attempt time) and answers the statuses given on the command line in turn, then 200.
Usage: python3 webhook_receiver.py PORT LOG [STATUS ...]"""
import http.server
import json
import sys
import threading
import time

port, log = int(sys.argv[1]), sys.argv[2]
answers = [int(status) for status in sys.argv[3:]]
lock = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            status = answers.pop(0) if answers else 200
            with open(log, "a") as out:
                out.write(json.dumps({"id": self.headers.get("webhook-id"), "status": status, "at": time.time(),
                                      "bytes": len(body)}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
