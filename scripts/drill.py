#!/usr/bin/env python3
"""Crash drill: kill -9 `partner-catalog serve` (and, on PostgreSQL, a `worker` process) at random
moments while partners upload feeds (raw bodies, multipart forms, gzip) and jobs run, restart it,
and check after every restart that the kill left nothing behind:

  - no feed without its raw object and its two jobs (JS completed, JV present);
  - no raw object without its feed, no temporary or spool file left (objects/.tmp, tmp/);
  - no job `running` beyond its lease;
  - products all or nothing: each partner has exactly the rows of its completed feeds, and a feed
    whose job has not completed has no product;
  - every acknowledged upload byte-identical to what was sent (its SHA-256 over GET /feeds/{id}/raw);
  - one feed per idempotency key, however often an unanswered upload was retried;
and at the end, once every feed is acknowledged and every job has finished, the counts equal a clean
run's: every feed's job completed with all its rows inserted, each partner's product count the sum;
and every event of the log reached the webhook registered for all of them (a receiver on loopback
that checks each delivery's Standard Webhooks signature) at least once, however often the process
delivering it was killed.

Used by scripts/drill.sh; prints one table row per kill. Python's standard library and curl only.
"""
import argparse
import base64
import gzip
import hashlib
import hmac
import http.server
import json
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

LEASE_SECONDS = 30
ADMIN_KEY = "pck_drill_admin_" + "0" * 32


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A partner-catalog process with its log; killed with SIGKILL, never asked to stop."""

    def __init__(self, binary, args, env, log_path):
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen([binary] + args, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)

    def alive(self):
        return self.proc.poll() is None

    def kill(self):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self.log.close()

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Api:
    def __init__(self, base, key):
        self.base, self.key = base, key

    def call(self, method, path, body=None, content_type=None, key=None, timeout=30):
        request = urllib.request.Request(self.base + path, data=body, method=method)
        request.add_header("X-API-Key", key or self.key)
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def json(self, method, path, **kwargs):
        status, body = self.call(method, path, **kwargs)
        try:
            return status, json.loads(body or b"{}")
        except ValueError:
            return status, {}

    def pages(self, path):
        items, cursor = [], None
        while True:
            sep = "&" if "?" in path else "?"
            url = f"{path}{sep}limit=200" + (f"&cursor={cursor}" if cursor else "")
            status, page = self.json("GET", url)
            if status != 200:
                raise RuntimeError(f"GET {url}: {status} {page}")
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return items


class Feed:
    """One planned feed: disjoint SKUs, so the catalog's final state does not depend on the order."""

    def __init__(self, index, partner, rows, form, rng):
        self.index, self.partner, self.rows, self.form = index, partner, rows, form
        self.idempotency_key = f"drill-feed-{index}"
        # The category names the feed, so that /analytics/inventory counts each feed's products.
        lines = ["sku,product_name,price,quantity,category"]
        for row in range(rows):
            lines.append(f"F{index}-{row},Drill product {index}/{row},{rng.randrange(1, 100000) / 100:.2f},{rng.randrange(0, 50)},F{index}")
        plain = ("\n".join(lines) + "\n").encode()
        self.bytes = gzip.compress(plain, compresslevel=1, mtime=0) if form == "gzip" else plain
        self.file_name = f"feed-{index}.csv" + (".gz" if form == "gzip" else "")
        self.sha256 = hashlib.sha256(self.bytes).hexdigest()
        self.feed_id = None  # once acknowledged
        # Partners on links of different speeds, so that kills land in the middle of uploads too.
        self.rate = rng.choice(["1M", "4M", "16M", None])
        self.last_answer = None


class Drill:
    def __init__(self, options):
        self.o = options
        self.rng = random.Random(options.seed)
        self.work = tempfile.mkdtemp(prefix="partner-catalog-drill.")
        self.data = os.path.join(self.work, "data")
        self.port = free_port()
        self.api = Api(f"http://127.0.0.1:{self.port}", ADMIN_KEY)
        self.server = None
        self.worker = None
        self.partners = {}  # name -> key
        self.feeds = []
        self.violations = []
        self.findings = []
        self.rerun = []  # failed after three lost workers, run again at the end
        self.rows = []
        self.receiver = None

    # --- processes -------------------------------------------------------------------------

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
        env.update(CATALOG_HOST="127.0.0.1", CATALOG_PORT=str(self.port), CATALOG_DATA_DIR=self.data,
                   CATALOG_ADMIN_KEY=ADMIN_KEY, CATALOG_AUTO_RUN="true", CATALOG_LOG_LEVEL="warning",
                   CATALOG_ALLOW_PRIVATE_TARGETS="true")
        if self.o.database_url:
            env["CATALOG_DATABASE_URL"] = self.o.database_url
        return env

    def start(self):
        """Starts whichever of serve (and the worker, on PostgreSQL) is not running; returns serve's start time."""
        env = self.env()
        workers = "0" if self.o.database_url else "1"
        if self.o.database_url and not (self.worker and self.worker.alive()):
            self.worker = Process(self.o.binary, ["worker", "--workers", "1"], env, os.path.join(self.work, "worker.log"))
        if self.server and self.server.alive():
            return 0.0
        self.server = Process(self.o.binary, ["serve", "--workers", workers], env, os.path.join(self.work, "serve.log"))
        started = time.monotonic()
        while time.monotonic() - started < 120:
            if not self.server.alive():
                raise RuntimeError("serve exited:\n" + open(self.server.log_path).read()[-4000:])
            try:
                if self.api.call("GET", "/health", timeout=2)[0] == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("serve did not come up")

    def kill(self, which):
        for name, process in (("serve", self.server), ("worker", self.worker)):
            if name in which and process:
                process.kill()

    # --- workload --------------------------------------------------------------------------

    def setup(self):
        self.start()
        self.receiver = Receiver()
        status, webhook = self.api.json("POST", "/webhooks", content_type="application/json",
                                        body=json.dumps({"url": self.receiver.url, "events": ["*"]}).encode())
        assert status == 201, (status, webhook)
        self.receiver.secret = webhook["secret"]
        for index in range(self.o.partners):
            name = f"drill-{index}"
            status, partner = self.api.json("POST", "/partners", content_type="application/json",
                                            body=json.dumps({"partner_name": name}).encode())
            assert status == 201, (status, partner)
            self.partners[name] = partner["api_key"]
        names = sorted(self.partners)
        forms = ["raw", "multipart", "gzip"]
        for index in range(self.o.feeds):
            rows = self.rng.choice(self.o.rows)
            self.feeds.append(Feed(index + 1, names[index % len(names)], rows, forms[index % 3], self.rng))
        os.makedirs(os.path.join(self.work, "feeds"), exist_ok=True)
        for feed in self.feeds:
            with open(self.path(feed), "wb") as f:
                f.write(feed.bytes)

    def path(self, feed):
        return os.path.join(self.work, "feeds", feed.file_name)

    def upload(self, feed, timeout):
        """One partner upload with curl, as the contract's examples send it; records the acknowledgement."""
        key = self.partners[feed.partner]
        url = f"{self.api.base}/feeds/upload"
        common = ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "--max-time", str(timeout),
                  "-H", f"X-API-Key: {key}", "-H", f"Idempotency-Key: {feed.idempotency_key}"]
        if feed.rate:
            common += ["--limit-rate", feed.rate]
        if feed.form == "multipart":
            command = common + ["-F", f"file=@{self.path(feed)}", url]
        else:
            command = common + ["-H", "Content-Type: text/csv", "--data-binary", f"@{self.path(feed)}"]
            if feed.form == "gzip":
                command += ["-H", "Content-Encoding: gzip"]
            command += [f"{url}?file_name={feed.file_name}"]
        result = subprocess.run(command, capture_output=True, timeout=timeout + 10)
        body, _, status = result.stdout.rpartition(b"\n")
        feed.last_answer = f"{status.decode(errors='replace').strip()} {body[:200].decode(errors='replace')}"
        if status.strip() == b"201":
            answer = json.loads(body)
            if answer["sha256"] != feed.sha256:
                self.violate(f"{feed.file_name}: acknowledged with sha256 {answer['sha256']}, sent {feed.sha256}")
            if feed.feed_id and feed.feed_id != answer["feed_id"]:
                self.violate(f"{feed.idempotency_key}: acknowledged as {feed.feed_id} and as {answer['feed_id']}")
            feed.feed_id = answer["feed_id"]
            return True
        return False

    def violate(self, message):
        self.violations.append(message)
        print(f"VIOLATION: {message}", file=sys.stderr, flush=True)

    def finding(self, message):
        """A kill between a job's merge and the recording of its completion (two transactions today):
        its products are visible before the job completes, and the job's next attempt finds every row
        unchanged. A violation with --strict-completion; otherwise counted and shown."""
        if self.o.strict_completion:
            return self.violate(message)
        if message not in self.findings:
            self.findings.append(message)
            print(f"INTERRUPTED COMPLETION: {message}", file=sys.stderr, flush=True)

    # --- invariants ------------------------------------------------------------------------

    def check(self, deep):
        before = len(self.violations)
        feeds = self.api.pages("/feeds")
        jobs = self.api.pages("/jobs")
        by_feed = {}
        for job in jobs:
            by_feed.setdefault(job["feed_id"], {})[job["job_type"]] = job
        keys = {}
        for feed in feeds:
            fid = feed["feed_id"]
            mine = by_feed.get(fid, {})
            if mine.get("submission", {}).get("status") != "completed" or "validation" not in mine:
                self.violate(f"{fid} has no completed JS job and JV job: {sorted(mine)}")
            path = os.path.join(self.data, "objects", feed["raw_file_s3_key"])
            if not os.path.isfile(path) or os.path.getsize(path) != feed["size_bytes"]:
                self.violate(f"{fid} has no raw object of {feed['size_bytes']} bytes at {feed['raw_file_s3_key']}")
            keys[feed["raw_file_s3_key"]] = fid
        # Objects without their feed; files left in the making.
        raw_root = os.path.join(self.data, "objects")
        for folder, _, files in os.walk(os.path.join(raw_root, "raw")):
            for name in files:
                key = os.path.relpath(os.path.join(folder, name), raw_root)
                if key not in keys:
                    self.violate(f"object {key} has no feed")
        for folder in (os.path.join(raw_root, ".tmp"), os.path.join(self.data, "tmp")):
            left = [n for n in os.listdir(folder) if not n.startswith(".")] if os.path.isdir(folder) else []
            if left:
                self.violate(f"{len(left)} file(s) left in {folder}: {left[:3]}")
        # Acknowledged uploads: their feed exists, byte-identical; one feed per idempotency key.
        acknowledged = [f for f in self.feeds if f.feed_id]
        known = {feed["feed_id"] for feed in feeds}
        for feed in acknowledged:
            if feed.feed_id not in known:
                self.violate(f"acknowledged {feed.feed_id} ({feed.file_name}) is missing")
        for feed in acknowledged if deep else acknowledged[-self.o.per_round:]:
            status, raw = self.api.call("GET", f"/feeds/{feed.feed_id}/raw", key=self.partners[feed.partner])
            if status != 200 or hashlib.sha256(raw).hexdigest() != feed.sha256:
                self.violate(f"{feed.feed_id} raw is not what was sent (HTTP {status}, {len(raw)} bytes)")
        names = [f["file_name"] for f in feeds]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            self.violate(f"more than one feed for {sorted(duplicates)[:3]}")
        # Jobs running beyond their lease (the slack covers a job's own run).
        now = time.time()
        for job in jobs:
            if job["status"] == "running" and job.get("started_at"):
                started = parse_time(job["started_at"])
                if now - started > LEASE_SECONDS + 30:
                    self.violate(f"{job['job_id']} running for {now - started:.0f} s")
        self.check_products()
        return len(self.violations) == before

    def check_products(self):
        """All or nothing: a feed has none of its products or all of them, and only once its job has
        completed (the job is read after the products, so a job completing meanwhile is not a finding)."""
        by_category = self.product_counts_by_category()
        jobs = {j["feed_id"]: j for j in self.api.pages("/jobs?job_type=validation")}
        for feed in self.feeds:
            if not feed.feed_id:
                continue
            visible = by_category.get(f"F{feed.index}", 0)
            if visible not in (0, feed.rows):
                self.violate(f"{feed.feed_id} shows {visible} of its {feed.rows} products")
            status = jobs.get(feed.feed_id, {}).get("status")
            if visible and status != "completed":
                self.finding(f"{feed.feed_id}: its products are visible while its job is {status}")
        unknown = {c: n for c, n in by_category.items() if not c.startswith("F")}
        if unknown:
            self.violate(f"products of no drill feed: {unknown}")

    def product_counts_by_category(self):
        counts = {}
        for name in self.partners:
            status, answer = self.api.json("GET", f"/analytics/inventory?partner_name={name}")
            if status != 200:
                raise RuntimeError(f"inventory: {status} {answer}")
            for result in answer.get("results", []):
                counts[result.get("category") or ""] = counts.get(result.get("category") or "", 0) + result.get("active", 0)
        return counts

    def product_counts(self):
        counts = {}
        for name in self.partners:
            status, answer = self.api.json("GET", f"/analytics/inventory?partner_name={name}")
            counts[name] = sum(r.get("active", 0) for r in answer.get("results", []))
        return counts

    # --- the drill -------------------------------------------------------------------------

    def round(self, number):
        pending = [f for f in self.feeds if not f.feed_id]
        batch = pending[:self.o.per_round]
        threads = [threading.Thread(target=self.upload, args=(f, 60), daemon=True) for f in batch]
        for thread in threads:
            thread.start()
        moment = self.rng.uniform(self.o.kill_after[0], self.o.kill_after[1])
        time.sleep(moment)
        try:
            running = len(self.api.json("GET", "/jobs?status=running&limit=200", timeout=5)[1].get("items", []))
        except OSError:
            running = -1
        in_flight = sum(t.is_alive() for t in threads)
        which = self.rng.choice(["serve", "worker", "serve+worker"]) if self.worker else "serve"
        self.kill(which)
        for thread in threads:
            thread.join(timeout=70)
        acknowledged = sum(1 for f in batch if f.feed_id)
        findings_before = len(self.findings)
        restart = self.start()
        healthy = self.check(deep=False)
        findings = len(self.findings) - findings_before
        self.rows.append((number, which, int(moment * 1000), len(batch), in_flight, running, acknowledged, restart,
                          ("ok" if healthy else "FAIL") + (f" ({findings} interrupted completion)" if findings else "")))
        print("| %4d | %-12s | %6d | %7d | %9d | %12d | %5d | %9.2f | %s |" % self.rows[-1], flush=True)

    def finish(self):
        """Uploads what is left, waits for every job, and compares with a clean run's counts."""
        for _ in range(3):
            for feed in [f for f in self.feeds if not f.feed_id]:
                self.upload(feed, 120)
        for feed in self.feeds:
            if not feed.feed_id:
                self.violate(f"{feed.file_name} was never acknowledged (last answer: {feed.last_answer})")
        deadline = time.monotonic() + LEASE_SECONDS + 120
        while time.monotonic() < deadline:
            busy = [j for j in self.api.pages("/jobs?job_type=validation") if j["status"] in ("queued", "running")]
            if not busy:
                break
            time.sleep(1)
        else:
            self.violate(f"{len(busy)} jobs still queued or running at the end")
        # A job whose worker was killed under it three times has failed (WORKER_LOST, §Jobs: 3 attempts);
        # its products must not be there, and an operator runs it again.
        self.check(deep=True)
        for job in self.api.pages("/jobs?job_type=validation&status=failed"):
            code = (job.get("error") or {}).get("code")
            if code != "WORKER_LOST":
                self.violate(f"{job['job_id']} failed: {job.get('error')}")
                continue
            self.rerun.append(job["job_id"])
            status, answer = self.api.json("POST", f"/jobs/{job['job_id']}/run?wait=true&timeout=300", timeout=320)
            if status != 200 or answer.get("status") != "completed":
                self.violate(f"{job['job_id']} run again: {status} {answer.get('status')} {answer.get('error')}")
        jobs = {j["feed_id"]: j for j in self.api.pages("/jobs?job_type=validation")}
        for feed in [f for f in self.feeds if f.feed_id]:
            job = jobs.get(feed.feed_id)
            summary = (job or {}).get("summary") or {}
            if not job or job["status"] != "completed" or summary.get("rows_total") != feed.rows:
                self.violate(f"{feed.feed_id}: job {job and job['status']} {summary}, a clean run has {feed.rows} rows")
            elif summary.get("inserted") != feed.rows:
                if summary.get("inserted", 0) + summary.get("unchanged", 0) == feed.rows and summary.get("attempts", job.get("attempts", 1)) > 1:
                    self.finding(f"{feed.feed_id}: completed by attempt {job.get('attempts')} with {summary}, a clean run inserts {feed.rows}")
                else:
                    self.violate(f"{feed.feed_id}: job summary {summary}, a clean run inserts {feed.rows}")
        expected = {name: sum(f.rows for f in self.feeds if f.partner == name) for name in self.partners}
        counts = self.product_counts()
        if counts != expected:
            self.violate(f"final products per partner {counts}, a clean run has {expected}")
        self.check_deliveries()
        return counts, expected

    def check_deliveries(self):
        """Every event of the log reaches the receiver (at least once: a delivery whose process died is
        taken over after its lease), each delivery correctly signed."""
        events = [e["event_id"] for e in self.event_log()]
        deadline = time.monotonic() + LEASE_SECONDS + 120
        while time.monotonic() < deadline and not set(events) <= self.receiver.received():
            time.sleep(1)
        missing = sorted(set(events) - self.receiver.received())
        if missing:
            self.violate(f"{len(missing)} of {len(events)} events never reached the webhook, e.g. {missing[:5]}")
        for problem in self.receiver.problems[:5]:
            self.violate(f"webhook delivery: {problem}")
        self.events, self.duplicates = len(events), self.receiver.deliveries - len(self.receiver.received())

    def event_log(self):
        events, since = [], "0"
        while True:
            status, page = self.api.json("GET", f"/events?since={since}&limit=1000")
            if status != 200:
                raise RuntimeError(f"events: {status} {page}")
            events += page["items"]
            if len(page["items"]) < 1000:
                return events
            since = page["next_since"]

    def run(self):
        print(f"drill: {self.o.kills} kills, {self.o.feeds} feeds of {self.o.rows} rows over {self.o.partners} partners, "
              f"{'PostgreSQL + worker' if self.o.database_url else 'embedded'}, seed {self.o.seed}, {self.o.binary}", flush=True)
        began = time.monotonic()
        self.setup()
        print("| kill | killed       | at ms  | uploads | in flight | jobs running | acked | restart s | invariants |")
        print("|------|--------------|--------|---------|-----------|--------------|-------|-----------|------------|")
        for number in range(1, self.o.kills + 1):
            self.round(number)
        counts, expected = self.finish()
        elapsed = time.monotonic() - began
        self.server.stop()
        if self.worker:
            self.worker.stop()
        self.receiver.stop()
        print(f"drill: {self.o.kills} kills in {elapsed:.0f} s; final products {sum(counts.values())} "
              f"(a clean run: {sum(expected.values())}); {len(self.violations)} violation(s); "
              f"{len(self.rerun)} job(s) failed after 3 lost workers and were run again; "
              f"{len({m.split(':')[0] for m in self.findings})} feed(s) with an interrupted completion "
              f"(--strict-completion makes them violations); {self.events} events, each delivered to the webhook "
              f"({self.duplicates} delivered again after a kill)")
        if self.violations:
            print(f"logs kept in {self.work}", file=sys.stderr)
            return 1
        shutil.rmtree(self.work, ignore_errors=True)
        return 0


class Receiver:
    """A webhook receiver on loopback: answers 200 to every correctly signed delivery and records its
    webhook-id; anything else is a problem (verified as §Webhooks says, independently of the service)."""

    def __init__(self):
        receiver = self
        self.secret = None
        self.ids = set()
        self.deliveries = 0
        self.problems = []
        self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                message_id, timestamp = self.headers.get("webhook-id", ""), self.headers.get("webhook-timestamp", "")
                key = base64.b64decode(receiver.secret.removeprefix("whsec_"))
                expected = base64.b64encode(hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
                signatures = [s.split(",", 1)[1] for s in self.headers.get("webhook-signature", "").split() if s.startswith("v1,")]
                with receiver.lock:
                    receiver.deliveries += 1
                    if expected not in signatures:
                        receiver.problems.append(f"{message_id}: signature does not verify")
                    elif json.loads(body).get("event_id") != message_id:
                        receiver.problems.append(f"{message_id}: the body is another event")
                    else:
                        receiver.ids.add(message_id)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self):
        with self.lock:
            return set(self.ids)

    def stop(self):
        self.server.shutdown()


def parse_time(text):
    from datetime import datetime
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--partners", type=int, default=3)
    parser.add_argument("--per-round", type=int, default=4)
    parser.add_argument("--rows", type=lambda s: [int(x) for x in s.split(",")], default=[200, 2000, 20000, 60000])
    parser.add_argument("--kill-after", type=lambda s: [float(x) for x in s.split(",")], default=[0.05, 2.5])
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    parser.add_argument("--database-url", default=os.environ.get("DRILL_DATABASE_URL"))
    parser.add_argument("--strict-completion", action="store_true",
                        help="products visible before their job completes count as violations")
    options = parser.parse_args()
    options.feeds = options.kills * options.per_round // 2 + options.per_round
    sys.exit(Drill(options).run())


if __name__ == "__main__":
    main()
