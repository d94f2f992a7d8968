#!/usr/bin/env python3
"""Hostile but legitimate clients against one `partner-catalog serve` (embedded mode, loopback):
each request shape runs from a process of its own while this one times `GET /health` on a
keep-alive connection every 10 ms and samples the server's RSS. Prints a table: shape, what the
server answered, whether it is still up, /health p99 during the shape, RSS growth.

Targets (checked, exit 1 when one is missed): no 5xx but the contract's 503 OVERLOADED, no crash,
/health p99 <= --p99-ms (100), RSS growth <= --rss-mb (64).

Used by scripts/abuse.sh. Python's standard library; curl where a partner would use it.
"""
import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib

ADMIN_KEY = "pck_abuse_admin_" + "0" * 32


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def connect(port, timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(sock, timeout=10):
    """Status code of the first response on `sock` (None when closed or reset without one)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    if not data.startswith(b"HTTP/1.1 "):
        return None, data
    return int(data[9:12]), data


def curl(args, timeout=300):
    result = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", str(timeout)] + args,
                            capture_output=True)
    return result.stdout.decode().strip() or "000"


# --- request shapes: each runs in a child process and returns a list of statuses and a note --------

def slowloris(ctx):
    """300 connections trickling a header line a second, never ending the head."""
    sockets = []
    for _ in range(ctx["slowloris"]):
        s = connect(ctx["port"])
        s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        sockets.append(s)
    started = time.monotonic()
    open_ = set(range(len(sockets)))
    closed_at = []
    while open_ and time.monotonic() - started < ctx["idle_timeout"] + 20:
        time.sleep(1)
        for index in list(open_):
            try:
                sockets[index].sendall(b"X-Slow: 1\r\n")
                sockets[index].setblocking(False)
                if sockets[index].recv(1) == b"":
                    raise ConnectionError
            except BlockingIOError:
                pass
            except OSError:
                open_.discard(index)
                closed_at.append(time.monotonic() - started)
    for s in sockets:
        s.close()
    note = f"{len(closed_at)}/{len(sockets)} closed by the server"
    if closed_at:
        note += f" after {min(closed_at):.0f}-{max(closed_at):.0f} s"
    return ["closed"] if not open_ else ["open"], note


def idle_to_cap(ctx):
    """Keep-alive connections, each after one request, until the server turns one away."""
    held, refused = [], None
    for _ in range(ctx["max_connections"] + 50):
        try:
            s = connect(ctx["port"])
            s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            status, _ = read_response(s, timeout=5)
        except OSError:
            status = None
        if status != 200:
            refused = status
            break
        held.append(s)
    accepted = len(held)
    started = time.monotonic()
    # They are idle now: the server closes them after its idle timeout.
    while held and time.monotonic() - started < ctx["idle_timeout"] + 20:
        time.sleep(0.5)
        still = []
        for s in held:
            s.setblocking(False)
            try:
                if s.recv(1) == b"":
                    s.close()
                    continue
            except BlockingIOError:
                pass
            except OSError:
                s.close()
                continue
            still.append(s)
        held = still
    note = f"{accepted} held (+1 prober), the next: {refused}; the idle ones closed after {time.monotonic() - started:.0f} s"
    for s in held:
        s.close()
    return [str(refused)], note + (f", {len(held)} still open" if held else "")


def many_headers(ctx):
    head = "GET /health HTTP/1.1\r\nHost: localhost\r\n" + "".join(f"X-H{i}: v\r\n" for i in range(10000)) + "\r\n"
    s = connect(ctx["port"])
    try:
        s.sendall(head.encode())
    except OSError:
        pass
    status, data = read_response(s)
    s.close()
    code = json.loads(data.split(b"\r\n\r\n", 1)[1] or b"{}").get("error", {}).get("code") if status else None
    return [str(status)], f"{status} {code}"


def big_json(ctx):
    path = ctx["files"]["big_json"]
    size = os.path.getsize(path) >> 20
    args = ["-H", f"X-API-Key: {ADMIN_KEY}", "-H", "Content-Type: application/json", "--data-binary", f"@{path}",
            f"{ctx['url']}/partners"]
    declared = curl(args)
    chunked = curl(["-H", "Transfer-Encoding: chunked"] + args)
    return [declared, chunked], f"{size} MB: {declared} (Content-Length), {chunked} (chunked)"


def gzip_bomb(ctx):
    """Two at once: a raw gzip body and a .csv.gz multipart file, each inflating to GBs."""
    path = ctx["files"]["bomb"]
    key = ctx["partner_key"]
    results = {}

    def raw():
        results["raw"] = curl(["-H", f"X-API-Key: {key}", "-H", "Content-Type: text/csv", "-H", "Content-Encoding: gzip",
                               "--data-binary", f"@{path}", f"{ctx['url']}/feeds/upload?file_name=bomb.csv.gz"])

    def multipart():
        results["multipart"] = curl(["-H", f"X-API-Key: {key}", "-F", f"file=@{path};filename=bomb.csv.gz",
                                     f"{ctx['url']}/feeds/upload"])

    started = time.monotonic()
    threads = [threading.Thread(target=raw), threading.Thread(target=multipart)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    size = os.path.getsize(path) >> 20
    return list(results.values()), (f"{size} MB -> {ctx['bomb_inflated'] >> 30} GiB: raw {results['raw']}, "
                                    f"multipart {results['multipart']} in {time.monotonic() - started:.1f} s")


def million_fields(ctx):
    """Two at once: multipart bodies of a million tiny form fields."""
    path = ctx["files"]["fields"]
    key = ctx["partner_key"]
    results = []

    def send():
        results.append(curl(["-H", f"X-API-Key: {key}", "-H", "Content-Type: multipart/form-data; boundary=XyZ",
                             "--data-binary", f"@{path}", f"{ctx['url']}/feeds/upload"]))

    started = time.monotonic()
    threads = [threading.Thread(target=send) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return results, f"{os.path.getsize(path) >> 20} MB each: {', '.join(results)} in {time.monotonic() - started:.1f} s"


def nested_json(ctx):
    path = ctx["files"]["nested"]
    status = curl(["-H", f"X-API-Key: {ctx['partner_key']}", "-H", "Content-Type: application/json",
                   "--data-binary", f"@{path}", f"{ctx['url']}/orders"])
    return [status], f"{os.path.getsize(path) >> 10} KB of [: {status}"


def random_keys(ctx):
    """2,000 requests with random keys on one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", ctx["port"], timeout=10)
    counts = {}
    for _ in range(2000):
        connection.request("GET", "/feeds", headers={"X-API-Key": "pck_" + "%032x" % random.getrandbits(128)})
        response = connection.getresponse()
        response.read()
        counts[str(response.status)] = counts.get(str(response.status), 0) + 1
    return list(counts), ", ".join(f"{n}x {s}" for s, n in sorted(counts.items()))


def upload_flood(ctx):
    """Eight uploads of one partner at once: four are served, the others get 429."""
    path = ctx["files"]["feed"]
    results = []

    def send():
        results.append(curl(["-H", f"X-API-Key: {ctx['partner_key']}", "-H", "Content-Type: text/csv",
                             "--limit-rate", "2M", "--data-binary", f"@{path}", f"{ctx['url']}/feeds/upload"]))

    threads = [threading.Thread(target=send) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    counts = {s: results.count(s) for s in set(results)}
    return results, ", ".join(f"{n}x {s}" for s, n in sorted(counts.items()))


SHAPES = [
    ("slowloris x300", slowloris),
    ("idle connections up to the cap", idle_to_cap),
    ("10,000 headers", many_headers),
    ("100 MB JSON body", big_json),
    ("gzip bomb x2", gzip_bomb),
    ("million-field multipart x2", million_fields),
    ("deeply nested JSON", nested_json),
    ("8 concurrent uploads, 1 partner", upload_flood),
    # Last: the address is then refused keys for a minute.
    ("2,000 random keys", random_keys),
]


def run_shape(function, ctx, queue):
    try:
        queue.put(function(ctx))
    except Exception as error:  # the shape's own failure is reported, not hidden
        queue.put((["error"], f"{type(error).__name__}: {error}"))


class Prober:
    """/health every 10 ms on a keep-alive connection, and the server's RSS every 50 ms."""

    def __init__(self, port, pid):
        self.port, self.pid = port, pid
        self.latencies, self.failures, self.rss = [], 0, []
        self.stopping = threading.Event()
        self.connection = None

    def probe(self):
        started = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.connection.request("GET", "/health")
            response = self.connection.getresponse()
            response.read()
            if response.status != 200:
                self.failures += 1
        except (OSError, http.client.HTTPException):
            self.failures += 1
            self.connection = None
        self.latencies.append(time.perf_counter() - started)

    def run(self):
        last_rss = 0
        while not self.stopping.is_set():
            self.probe()
            if time.monotonic() - last_rss > 0.05:
                value = rss_kb(self.pid)
                if value:
                    self.rss.append(value)
                last_rss = time.monotonic()
            time.sleep(0.01)

    def p99_ms(self):
        if not self.latencies:
            return float("inf")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000


def prepare_files(work, short, bomb_inflated):
    files = {}
    files["big_json"] = os.path.join(work, "big.json")
    with open(files["big_json"], "wb") as f:
        f.write(b'{"partner_name": "big", "display_name": "')
        block = b"x" * (1 << 20)
        for _ in range(20 if short else 100):
            f.write(block)
        f.write(b'"}')
    # A gzip of concatenated members: a small file that inflates to `bomb_inflated` bytes of valid CSV.
    files["bomb"] = os.path.join(work, "bomb.csv.gz")
    line = b"SKU-1,Bomb product,1.00\n"
    chunk = line * ((16 << 20) // len(line))
    member = zlib.compressobj(9, zlib.DEFLATED, 31)
    member_bytes = member.compress(chunk) + member.flush()
    first = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(files["bomb"], "wb") as f:
        f.write(first.compress(b"sku,product_name,price\n" + chunk) + first.flush())
        for _ in range(bomb_inflated // len(chunk) - 1):
            f.write(member_bytes)
    files["fields"] = os.path.join(work, "fields.bin")
    with open(files["fields"], "wb") as f:
        field = b'--XyZ\r\nContent-Disposition: form-data; name="f"\r\n\r\nx\r\n'
        f.write(field * 1_000_000 + b"--XyZ--\r\n")
    files["nested"] = os.path.join(work, "nested.json")
    with open(files["nested"], "wb") as f:
        f.write(b"[" * ((1 << 20) - 16))
    files["feed"] = os.path.join(work, "feed.csv")
    with open(files["feed"], "wb") as f:
        f.write(b"sku,product_name,price\n" + b"".join(b"S-%d,Product %d,1.00\n" % (i, i) for i in range(200_000)))
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--short", action="store_true", help="smaller bodies and limits, for make test")
    parser.add_argument("--p99-ms", type=float, default=100)
    parser.add_argument("--rss-mb", type=float, default=64)
    parser.add_argument("--only", help="run the shapes whose name contains this")
    options = parser.parse_args()

    work = tempfile.mkdtemp(prefix="partner-catalog-abuse.")
    port = free_port()
    idle_timeout = 3 if options.short else 10
    max_connections = 256 if options.short else 1024
    max_upload = (256 << 20) if options.short else (1 << 30)
    bomb_inflated = (2 << 30) if options.short else (10 << 30)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    env.update(CATALOG_HOST="127.0.0.1", CATALOG_PORT=str(port), CATALOG_DATA_DIR=os.path.join(work, "data"),
               CATALOG_ADMIN_KEY=ADMIN_KEY, CATALOG_LOG_LEVEL="warning", CATALOG_IDLE_TIMEOUT=f"{idle_timeout}s",
               CATALOG_MAX_CONNECTIONS=str(max_connections), CATALOG_MAX_UPLOAD_BYTES=str(max_upload))
    print(f"abuse: {options.binary}, idle timeout {idle_timeout} s, max connections {max_connections}, "
          f"upload limit {max_upload >> 20} MB; preparing bodies …", flush=True)
    files = prepare_files(work, options.short, bomb_inflated)
    log = open(os.path.join(work, "serve.log"), "wb")
    server = subprocess.Popen([options.binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(url + "/health", timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    request = urllib.request.Request(url + "/partners", method="POST", data=json.dumps({"partner_name": "abuser"}).encode(),
                                     headers={"X-API-Key": ADMIN_KEY, "Content-Type": "application/json"})
    partner_key = json.loads(urllib.request.urlopen(request, timeout=10).read())["api_key"]
    ctx = dict(port=port, url=url, files=files, partner_key=partner_key, idle_timeout=idle_timeout,
               max_connections=max_connections, slowloris=300, bomb_inflated=bomb_inflated)

    rows, failed = [], []
    print("| shape | status | server up | /health p99 | RSS growth |")
    print("|---|---|---|---|---|")
    for name, function in SHAPES:
        if options.only and options.only not in name:
            continue
        baseline = rss_kb(server.pid) or 0
        prober = Prober(port, server.pid)
        probing = threading.Thread(target=prober.run, daemon=True)
        queue = multiprocessing.get_context("fork").Queue()
        shape = multiprocessing.get_context("fork").Process(target=run_shape, args=(function, ctx, queue))
        probing.start()
        time.sleep(0.2)
        shape.start()
        statuses, note = queue.get(timeout=1800)
        shape.join()
        time.sleep(0.3)
        prober.stopping.set()
        probing.join()
        up = server.poll() is None
        if up:
            try:
                with urllib.request.urlopen(url + "/health", timeout=5) as response:
                    up = response.status == 200
            except OSError:
                up = False
        p99 = prober.p99_ms()
        growth = (max(prober.rss or [baseline]) - baseline) / 1024
        server_errors = [s for s in statuses if s.isdigit() and s.startswith("5") and s != "503"]
        misses = []
        if server_errors or "error" in statuses:
            misses.append("5xx" if server_errors else "shape failed")
        if not up:
            misses.append("server down")
        if p99 > options.p99_ms or prober.failures:
            misses.append("p99" if p99 > options.p99_ms else f"{prober.failures} /health failures")
        if growth > options.rss_mb:
            misses.append("RSS")
        row = f"| {name} | {note} | {'yes' if up else 'NO'} | {p99:.1f} ms | {growth:+.1f} MB |" + (
            f" MISSED: {', '.join(misses)}" if misses else "")
        print(row, flush=True)
        rows.append(row)
        if misses:
            failed.append(name)
        if not up:
            break
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    log.close()
    if failed:
        print(f"abuse: targets missed by {failed}; server log in {work}/serve.log", file=sys.stderr)
        tail = open(os.path.join(work, "serve.log"), errors="replace").read()[-3000:]
        print(tail, file=sys.stderr)
        sys.exit(1)
    shutil.rmtree(work, ignore_errors=True)
    print(f"abuse: every target met ({len(rows)} shapes)")


if __name__ == "__main__":
    main()
