#!/usr/bin/env python3
"""A vendor server simulator for §Sources: the files and paginated APIs partners' vendors serve.

Used by the Swift integration tests, the "Pulling from vendors" guide and the sources benchmark.
Python 3 standard library only.

    python3 scripts/vendor_sim.py [--port 0] [--port-file PATH] [--host 127.0.0.1] [--verbose]

Binds (port 0: any free port), writes the port number to --port-file (atomically: a temp file
renamed into place; a stale file is removed first and the file is removed again on exit), prints
`vendor-sim listening on http://HOST:PORT` and serves until SIGTERM or SIGINT. HTTP/1.1 with
keep-alive; every response carries Content-Length (304s carry none, as they have no body).

Scenarios (all data deterministic ASCII; prices exact decimals):
  GET /csv/products.csv              CSV with ETag / Last-Modified; If-None-Match or If-Modified-Since -> 304
  GET /json/products?page=N          JSON API: Bearer sim-token, Link rel="next" paging, price_cents, nested images
  GET /cursor/products?cursor=C      JSON API with next_cursor in the body; the first request for page 3 gets
                                     429 (Retry-After: 2), the first request for page 2 is cut off mid-body
  GET /tsv/products.tsv.gz           gzip TSV (mtime 0) with availability words Y / N / Later
  GET /full/products.csv             10 rows, or 3 after POST /_control/full/truncate
  GET /pages/products?page=&per_page=   page-number paging over 7 records
  GET /bodyurl/products?offset=K     next URL in the body (meta.next)
  GET /slow/products.csv?delay=0.3   answers after `delay` seconds (politeness checks)
  GET /big/products?cursor=N&size=S&pages=P   generated records for benchmarks (also ?page=N)
  anything else                      404 JSON

Control (neither logged nor counted):
  GET /_log                          {"requests": [...], "max_concurrent": {host: n}}
  DELETE /_log                       clears the log and the concurrency maxima
  POST /_control/reset               resets every scenario (counters, toggles) and the log
  POST /_control/csv/version?v=1|2   switches the CSV file's version
  POST /_control/full/truncate       /full/products.csv serves FULL-01..FULL-03 only
  POST /_control/full/restore        /full/products.csv serves all 10 rows again
"""

import argparse
import gzip
import json
import os
import signal
import socket
import tempfile
import threading
import time
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

JSON_TYPE = "application/json"

# ---------------------------------------------------------------------------------------------
# Scenario data


def csv_file(version):
    rows = ["sku,product_name,price,currency,quantity,brand"]
    for i in range(1, 6):
        price = "9.99" if (version == 2 and i == 1) else "%d.50" % (9 + i)
        rows.append("CSV-%d,Trail Mug %d,%s,USD,%d,Acme" % (i, i, price, i))
    return ("\n".join(rows) + "\n").encode("ascii")


CSV_VERSIONS = {
    1: {"etag": '"csv-v1"', "last_modified": "Mon, 07 Dec 2026 00:00:00 GMT", "body": csv_file(1)},
    2: {"etag": '"csv-v2"', "last_modified": "Tue, 08 Dec 2026 00:00:00 GMT", "body": csv_file(2)},
}

JSON_TOKEN = "sim-token"
JSON_PAGES = [[1, 2], [3, 4], [5]]
JSON_COLORS = ["red", "green", "blue", "black", "white"]


def json_record(i):
    return {
        "id": "JSON-%d" % i,
        "title": "Camp Stove %d" % i,
        "price_cents": 2499 + 100 * i,
        "currency": "EUR",
        "stock": {"qty": 2 + i},
        "images": [
            {"src": "https://img.example.com/json-%d-a.jpg" % i},
            {"src": "https://img.example.com/json-%d-b.jpg" % i},
        ],
        "vendor_color": JSON_COLORS[i - 1],
    }


CURSOR_PAGE_SIZE = 3
CURSOR_PAGES = 4


def cursor_page_body(page):
    records = []
    for i in range((page - 1) * CURSOR_PAGE_SIZE + 1, page * CURSOR_PAGE_SIZE + 1):
        # Written by hand so the price is the exact decimal text 5.25, 6.25, … (a JSON number).
        records.append('{"sku": "CUR-%02d", "name": "Headlamp %d", "price": %d.25, "availability": "in_stock"}'
                       % (i, i, 4 + i))
    next_cursor = '"c%d"' % (page + 1) if page < CURSOR_PAGES else "null"
    return ('{"records": [%s], "next_cursor": %s}' % (", ".join(records), next_cursor)).encode("ascii")


def tsv_gz():
    words = ["Y", "N", "Y", "Later"]
    rows = ["item\ttitle\tcost\tavailability"]
    for i in range(1, 5):
        rows.append("TSV-%d\tTent %d\t%d.00\t%s" % (i, i, 90 + 10 * i, words[i - 1]))
    return gzip.compress(("\n".join(rows) + "\n").encode("ascii"), compresslevel=9, mtime=0)


TSV_GZ = tsv_gz()


def full_csv(count):
    rows = ["sku,product_name,price"]
    for i in range(1, count + 1):
        rows.append("FULL-%02d,Lamp %d,%d.00" % (i, i, 19 + i))
    return ("\n".join(rows) + "\n").encode("ascii")


FULL_CSV = full_csv(10)
FULL_CSV_TRUNCATED = full_csv(3)

PAGES_RECORDS = [{"sku": "PG-%d" % i, "product_name": "Water Bottle %d" % i, "price": "%d.00" % (i + 2)}
                 for i in range(1, 8)]

BODYURL_RECORDS = [{"sku": "BU-%d" % i, "product_name": "Sleeping Bag %d" % i, "price": "%d.00" % (39 + i)}
                   for i in range(1, 6)]
BODYURL_PAGE = 2

SLOW_CSV = b"sku,product_name,price\nSLOW-1,Compass 1,15.00\n"


def big_page_body(page, size, pages):
    first = (page - 1) * size + 1
    template = ('{"sku": "BIG-%07d", "product_name": "Big Item %d", "price": "%d.%02d", '
                '"currency": "USD", "quantity": %d}')
    records = ",".join([template % (k, k, 1 + k % 500, k % 100, k % 50) for k in range(first, first + size)])
    next_cursor = '"%d"' % (page + 1) if page < pages else "null"
    return ('{"records": [%s], "next_cursor": %s}' % (records, next_cursor)).encode("ascii")


# ---------------------------------------------------------------------------------------------
# State


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.in_flight = {}
        self.reset()

    def reset(self):
        with self.lock:
            self.csv_version = 1
            self.full_truncated = False
            self.cursor_requests = {}   # page -> GET requests seen
            self.clear_log_locked()

    def clear_log_locked(self):
        self.requests = []
        self.max_concurrent = {}

    def arrive(self, record):
        host = record["host"]
        with self.lock:
            n = self.in_flight.get(host, 0) + 1
            self.in_flight[host] = n
            if n > self.max_concurrent.get(host, 0):
                self.max_concurrent[host] = n
            self.requests.append(record)

    def leave(self, record):
        with self.lock:
            self.in_flight[record["host"]] -= 1
            record["ended"] = time.time()

    def snapshot(self):
        with self.lock:
            return {"requests": [dict(r) for r in self.requests], "max_concurrent": dict(self.max_concurrent)}

    def count_cursor_request(self, page):
        """The number of this GET among the requests for a cursor page (1 for the first)."""
        with self.lock:
            n = self.cursor_requests.get(page, 0) + 1
            self.cursor_requests[page] = n
            return n


STATE = State()


# ---------------------------------------------------------------------------------------------
# HTTP


class BadRequest(Exception):
    pass


def int_param(query, name, default, minimum=None, maximum=None):
    values = query.get(name)
    if not values or values[0] == "":
        return default
    try:
        value = int(values[0])
    except ValueError:
        raise BadRequest("%s must be an integer" % name)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise BadRequest("%s must be between %s and %s" % (name, minimum, maximum))
    return value


def etag_matches(header, etag):
    if header.strip() == "*":
        return True
    tags = [t.strip() for t in header.split(",")]
    strip = lambda t: t[2:] if t.startswith("W/") else t
    return strip(etag) in [strip(t) for t in tags]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "vendor-sim/1.0"

    timeout = 120
    verbose = False

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):
        if self.verbose:
            super().log_message(format, *args)

    # -- responses ------------------------------------------------------------------------------

    def send(self, status, body=b"", content_type=JSON_TYPE, headers=()):
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and status != 304 and body:
            self.wfile.write(body)
        self.wfile.flush()

    def send_json(self, status, value, headers=()):
        self.send(status, json.dumps(value).encode("ascii"), JSON_TYPE, headers)

    def send_error_json(self, status, message, headers=()):
        self.send_json(status, {"error": message}, headers)

    def cut_off(self, status, body, content_type):
        """Headers with the full Content-Length, half the body, then the connection is closed."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- dispatch -------------------------------------------------------------------------------

    def do_GET(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_OPTIONS(self):
        self.dispatch()

    def discard_body(self):
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() not in ("", "identity"):
            self.close_connection = True    # chunked request bodies are not read: do not reuse the connection
            return
        if length:
            try:
                remaining = int(length)
            except ValueError:
                self.close_connection = True
                return
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 65536))
                if not chunk:
                    break
                remaining -= len(chunk)

    def dispatch(self):
        self.discard_body()
        url = urlsplit(self.path)
        path, query = url.path, parse_qs(url.query, keep_blank_values=True)
        if path == "/_log" or path.startswith("/_control/"):
            try:
                self.control(path, query)
            except BadRequest as error:
                self.send_error_json(400, str(error))
            return
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = headers[name] + ", " + value if name in headers else value
        record = {"method": self.command, "path": self.path, "host": self.headers.get("Host", ""),
                  "started": time.time(), "ended": None, "headers": headers}
        STATE.arrive(record)
        try:
            try:
                self.route(path, query)
            except BadRequest as error:
                self.send_error_json(400, str(error))
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            except Exception as error:  # noqa: BLE001 — a simulator answers 500 rather than dying
                self.send_error_json(500, "simulator error: %s" % error)
        finally:
            STATE.leave(record)

    def base_url(self):
        host = self.headers.get("Host")
        if not host:
            address, port = self.server.server_address[:2]
            host = "%s:%d" % (address, port)
        return "http://" + host

    def method_allowed(self, *methods):
        if self.command in methods or (self.command == "HEAD" and "GET" in methods):
            return True
        self.send_error_json(405, "method not allowed", [("Allow", ", ".join(methods))])
        return False

    # -- control --------------------------------------------------------------------------------

    def control(self, path, query):
        if path == "/_log":
            if self.command == "DELETE":
                with STATE.lock:
                    STATE.clear_log_locked()
                self.send(204)
            elif self.method_allowed("GET", "DELETE"):
                self.send_json(200, STATE.snapshot())
            return
        routes = {
            "/_control/reset": self.control_reset,
            "/_control/csv/version": self.control_csv_version,
            "/_control/full/truncate": lambda q: self.control_full(q, True),
            "/_control/full/restore": lambda q: self.control_full(q, False),
        }
        action = routes.get(path)
        if action is None:
            self.send_error_json(404, "not found")
        elif self.method_allowed("POST"):
            action(query)

    def control_reset(self, query):
        STATE.reset()
        self.send_json(200, {"reset": True})

    def control_csv_version(self, query):
        version = int_param(query, "v", None, 1, 2)
        if version is None:
            raise BadRequest("v is required (1 or 2)")
        with STATE.lock:
            STATE.csv_version = version
        self.send_json(200, {"version": version, "etag": CSV_VERSIONS[version]["etag"]})

    def control_full(self, query, truncated):
        with STATE.lock:
            STATE.full_truncated = truncated
        self.send_json(200, {"truncated": truncated})

    # -- scenarios ------------------------------------------------------------------------------

    def route(self, path, query):
        routes = {
            "/csv/products.csv": self.csv_products,
            "/json/products": self.json_products,
            "/cursor/products": self.cursor_products,
            "/tsv/products.tsv.gz": self.tsv_products,
            "/full/products.csv": self.full_products,
            "/pages/products": self.pages_products,
            "/bodyurl/products": self.bodyurl_products,
            "/slow/products.csv": self.slow_products,
            "/big/products": self.big_products,
        }
        action = routes.get(path)
        if action is None:
            self.send_error_json(404, "not found")
        elif self.method_allowed("GET"):
            action(query)

    def csv_products(self, query):
        with STATE.lock:
            version = CSV_VERSIONS[STATE.csv_version]
        validators = [("ETag", version["etag"]), ("Last-Modified", version["last_modified"])]
        if_none_match = self.headers.get("If-None-Match")
        if_modified_since = self.headers.get("If-Modified-Since")
        not_modified = False
        if if_none_match is not None:
            # RFC 9110 13.1.3: If-Modified-Since is ignored when If-None-Match is present.
            not_modified = etag_matches(if_none_match, version["etag"])
        elif if_modified_since is not None:
            try:
                since = parsedate_to_datetime(if_modified_since)
                not_modified = since is not None and since.tzinfo is not None and \
                    since >= parsedate_to_datetime(version["last_modified"])
            except (TypeError, ValueError, IndexError):
                not_modified = False
        if not_modified:
            self.send(304, headers=validators)
        else:
            self.send(200, version["body"], "text/csv; charset=utf-8", validators)

    def json_products(self, query):
        authorization = self.headers.get("Authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or token.strip() != JSON_TOKEN:
            self.send_error_json(401, "invalid token", [("WWW-Authenticate", 'Bearer realm="vendor-sim"')])
            return
        page = int_param(query, "page", 1, 1)
        ids = JSON_PAGES[page - 1] if page <= len(JSON_PAGES) else []
        body = {"data": {"items": [json_record(i) for i in ids]}, "meta": {"page": page}}
        headers = []
        if page < len(JSON_PAGES):
            headers.append(("Link", '<%s/json/products?page=%d>; rel="next"' % (self.base_url(), page + 1)))
        self.send_json(200, body, headers)

    def cursor_products(self, query):
        cursor = (query.get("cursor") or [""])[0]
        if cursor == "":
            page = 1
        elif len(cursor) > 1 and cursor[0] == "c" and cursor[1:].isdigit() and 1 <= int(cursor[1:]) <= CURSOR_PAGES:
            page = int(cursor[1:])
        else:
            raise BadRequest("unknown cursor")
        body = cursor_page_body(page)
        n = STATE.count_cursor_request(page) if self.command == "GET" else 0
        if page == 3 and n == 1:
            self.send_json(429, {"error": "rate limited, retry later"}, [("Retry-After", "2")])
        elif page == 2 and n == 1:
            self.cut_off(200, body, JSON_TYPE)
        else:
            self.send(200, body, JSON_TYPE)

    def tsv_products(self, query):
        self.send(200, TSV_GZ, "application/gzip")

    def full_products(self, query):
        with STATE.lock:
            body = FULL_CSV_TRUNCATED if STATE.full_truncated else FULL_CSV
        self.send(200, body, "text/csv; charset=utf-8")

    def pages_products(self, query):
        page = int_param(query, "page", 1, 1)
        per_page = int_param(query, "per_page", 100, 1, 10000)
        start = (page - 1) * per_page
        self.send_json(200, {"items": PAGES_RECORDS[start:start + per_page]})

    def bodyurl_products(self, query):
        offset = int_param(query, "offset", 0, 0)
        records = BODYURL_RECORDS[offset:offset + BODYURL_PAGE]
        following = offset + BODYURL_PAGE
        next_url = "%s/bodyurl/products?offset=%d" % (self.base_url(), following) \
            if following < len(BODYURL_RECORDS) else None
        self.send_json(200, {"results": records, "meta": {"next": next_url}})

    def slow_products(self, query):
        values = query.get("delay") or ["0.3"]
        try:
            delay = float(values[0])
        except ValueError:
            raise BadRequest("delay must be a number of seconds")
        if not 0 <= delay <= 60:
            raise BadRequest("delay must be between 0 and 60")
        time.sleep(delay)
        self.send(200, SLOW_CSV, "text/csv; charset=utf-8")

    def big_products(self, query):
        pages = int_param(query, "pages", 1000, 1)
        size = int_param(query, "size", 1000, 1, 100000)
        if query.get("cursor") and query["cursor"][0] != "":
            page = int_param(query, "cursor", 1, 1)
        else:
            page = int_param(query, "page", 1, 1)
        if page > pages:
            self.send(200, b'{"records": [], "next_cursor": null}', JSON_TYPE)
            return
        self.send(200, big_page_body(page, size, pages), JSON_TYPE)


# ---------------------------------------------------------------------------------------------


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128


def write_port_file(path, port):
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=".vendor-sim-port.", dir=directory)
    with os.fdopen(fd, "w") as f:
        f.write("%d\n" % port)
    os.replace(temp, path)


def main():
    parser = argparse.ArgumentParser(description="Vendor server simulator for partner-catalog sources.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default 0: any free port)")
    parser.add_argument("--port-file", help="write the bound port number to this file (atomically)")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args()

    if args.port_file:
        try:
            os.remove(args.port_file)
        except FileNotFoundError:
            pass
    Handler.verbose = args.verbose
    if ":" in args.host:
        Server.address_family = socket.AF_INET6
    server = Server((args.host, args.port), Handler)
    port = server.server_address[1]
    if args.port_file:
        write_port_file(args.port_file, port)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    shown_host = args.host if ":" not in args.host else "[%s]" % args.host
    print("vendor-sim listening on http://%s:%d" % (shown_host, port), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if args.port_file:
            try:
                os.remove(args.port_file)
            except FileNotFoundError:
                pass


if __name__ == "__main__":
    main()
