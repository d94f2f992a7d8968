#!/usr/bin/env python3
"""The webhook receiver, order poster and reports of bench/events.sh, on asyncio and raw sockets (standard
library only); the SSE fan-out's client and its floor server are native (bench/sse_fanout.c).

  events.py sink PORT_FILE SECRET_FILE EXPECTED TIMEOUT
      A webhook receiver on a free loopback port (written to PORT_FILE): answers 200 at once, checks
      every Standard Webhooks signature against the secret in SECRET_FILE, notes when each new
      webhook-id arrived; exits once EXPECTED distinct ids have, or TIMEOUT seconds after its start, or
      60 s after the last delivery. Prints JSON.
  events.py orders URL KEY PARTNER COUNT CONCURRENCY
      COUNT POST /orders (one line each), CONCURRENCY keep-alive connections at a time. Prints JSON.
  events.py idle-connections URL CLIENTS PID
      The framework's floor for an idle stream's memory: CLIENTS keep-alive connections that each made
      one `GET /health` and stay open, idle; prints PID's VmRSS growth per connection (KB).
  events.py sse-report FANOUT_JSON FINISHED_AT RETURNED_AT RSS_BEFORE_KB RSS_AFTER_KB
  events.py webhook-report SINK_JSON ORDERS_JSON FAILED_DELIVERIES
  events.py backlog-report SINK_JSON ORDERS_JSON WORKER_STARTED QUEUED UNSETTLED
      The tables bench/events.sh prints.
"""
import asyncio
import base64
import datetime
import hashlib
import hmac
import json
import os
import resource
import sys
import time
import urllib.parse



def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def host_port(url):
    parts = urllib.parse.urlsplit(url)
    return parts.hostname, parts.port or 80


async def read_head(reader):
    """A response or request head: (first line, {lower-case name: value})."""
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return lines[0], headers


async def read_body(reader, headers):
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = bytearray()
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers expected: the empty line ends the body
                return bytes(body)
            body += await reader.readexactly(size)
            await reader.readexactly(2)
    return await reader.readexactly(int(headers.get("content-length", 0)))


# --- idle connections -----------------------------------------------------------------------------

def vm_rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


async def idle_connections(url, clients, pid):
    raise_file_limit()
    host, port = host_port(url)
    before = vm_rss_kb(pid)
    gate = asyncio.Semaphore(64)

    async def connect():
        async with gate:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(f"GET /health HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
            _, headers = await read_head(reader)
            await read_body(reader, headers)
            return writer
    writers = await asyncio.gather(*(connect() for _ in range(clients)))
    await asyncio.sleep(2)
    after = vm_rss_kb(pid)
    for writer in writers:
        writer.close()
    print(f"{(after - before) / clients:.1f}")
    return 0


# --- sink -----------------------------------------------------------------------------------------

async def sink(port_file, secret_file, expected, timeout):
    seen = {}            # webhook-id -> receive time (the first)
    stats = {"deliveries": 0, "verified": 0, "bad_signatures": 0, "types": {}, "first_created_at": None}
    key = [None]
    finished = asyncio.get_running_loop().create_future()
    last = [time.time()]

    def secret():
        if key[0] is None and os.path.exists(secret_file):
            text = open(secret_file).read().strip()
            key[0] = base64.b64decode(text.removeprefix("whsec_"))
        return key[0]

    def record(headers, body):
        now = time.time()
        last[0] = now
        stats["deliveries"] += 1
        wid, ts = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
        k = secret()
        if k is not None:
            mac = base64.b64encode(hmac.new(k, f"{wid}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
            ok = any(sig.startswith("v1,") and hmac.compare_digest(sig[3:], mac)
                     for sig in headers.get("webhook-signature", "").split())
            stats["verified" if ok else "bad_signatures"] += 1
        if wid in seen:
            return
        seen[wid] = now
        event = json.loads(body)
        stats["types"][event["type"]] = stats["types"].get(event["type"], 0) + 1
        created = datetime.datetime.fromisoformat(event["created_at"].replace("Z", "+00:00")).timestamp()
        if stats["first_created_at"] is None or created < stats["first_created_at"]:
            stats["first_created_at"] = created
        if len(seen) >= expected and not finished.done():
            finished.set_result(None)

    async def handle(reader, writer):
        try:
            while True:
                _, headers = await read_head(reader)
                if headers.get("expect", "").lower() == "100-continue":
                    writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                body = await read_body(reader, headers)
                record(headers, body)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the sender closed its connection, or the receiver is done
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
    with open(port_file + ".tmp", "w") as out:  # written once listening, atomically
        out.write(str(server.sockets[0].getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    deadline = time.time() + timeout
    while not finished.done() and time.time() < deadline and not (seen and time.time() - last[0] > 60):
        await asyncio.wait([finished], timeout=1)
    server.close()
    times = sorted(seen.values())
    print(json.dumps({"expected": expected, "distinct": len(times), "first_at": times[0] if times else None,
                      "last_at": times[-1] if times else None, "times": times, **stats}))
    return 0 if len(times) >= expected else 1


# --- orders ---------------------------------------------------------------------------------------

async def orders(url, key, partner, count, concurrency):
    host, port = host_port(url)
    run = os.urandom(4).hex()
    next_index = iter(range(count))
    result = {"count": count, "created": 0, "failed": 0, "first_error": None}

    async def connection():
        reader = writer = None

        async def post(request, fresh):
            nonlocal reader, writer
            if fresh:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(request)
            status, headers = await read_head(reader)
            return status, headers, await read_body(reader, headers)
        for i in next_index:
            body = json.dumps({"partner_name": partner, "order_id": f"BENCH-{run}-{i}", "ordered_at": "2025-06-01T10:00:00Z",
                               "currency": "USD", "items": [{"sku": f"SKU-{i % 1000:08d}", "quantity": 1, "unit_price": "9.99"}]})
            request = (f"POST /orders HTTP/1.1\r\nHost: {host}:{port}\r\nX-API-Key: {key}\r\n"
                       f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}").encode()
            try:
                status, headers, answer = await post(request, fresh=writer is None)
            except (asyncio.IncompleteReadError, ConnectionError):  # a kept-alive connection closed: once more
                writer = None
                try:
                    status, headers, answer = await post(request, fresh=True)
                except (asyncio.IncompleteReadError, ConnectionError, OSError) as error:
                    status, headers, answer = f"HTTP/1.1 000 {error!r}", {"connection": "close"}, b""
            if status.split()[1] == "201":
                result["created"] += 1
            else:
                result["failed"] += 1
                result["first_error"] = result["first_error"] or f"{status}: {answer[:300].decode(errors='replace')}"
            if headers.get("connection", "").lower() == "close" and writer is not None:
                writer.close()
                writer = None
        if writer is not None:
            writer.close()

    result["started_at"] = time.time()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    result["finished_at"] = time.time()
    print(json.dumps(result))
    return 0 if result["failed"] == 0 else 1


# --- reports --------------------------------------------------------------------------------------

def instant(text):
    try:
        return float(text)
    except ValueError:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def sse_report(fanout_file, finished_at, returned_at, rss_before, rss_after, keepalive_kb, floor_file=None, floor_server_file=None):
    r = json.load(open(fanout_file))
    finished, returned = instant(finished_at), instant(returned_at)
    n, expected, done = r["clients"], r["expected"], r["done_at"]
    print(f"SSE fan-out: {n:,} live streams on one node, then a {expected:,}-product feed run to completion")
    print(f"  {n:,} streams open in {r['connect_seconds']:.2f} s; complete ({expected:,} product events each): "
          f"{r['complete']:,}/{n:,} (events per stream {r['min_count']:,}-{r['max_count']:,})")
    for e in r["errors"]:
        print(f"  a stream that did not complete: {e}")
    if done:
        last = done[-1]
        p50 = done[len(done) // 2]
        print(f"  job finished_at -> last stream's last event                  {last - finished:7.3f} s (target <= 1 s)"
              + ("" if r["complete"] == n else "  [not every stream completed]"))
        print(f"  run?wait=true returned -> last stream's last event           {last - returned:7.3f} s")
        print(f"  job finished_at -> first event anywhere; median stream done  {r['first_event_at'] - finished:7.3f} s; "
              f"{p50 - finished:.3f} s")
        window = last - r["first_event_at"]
        print(f"  received {r['bytes'] / 1e6:,.0f} MB in {window:.2f} s from the first event to the last "
              f"({r['bytes'] / 1e6 / max(window, 1e-9):,.0f} MB/s); the client process used {r['cpu_seconds']:.2f} s of CPU "
              f"meanwhile ({100 * r['cpu_seconds'] / max(window, 1e-9):.0f} % of a core)")
        if floor_file:
            f, fs = json.load(open(floor_file)), json.load(open(floor_server_file))
            if f.get("done_at") and f["complete"] == n:
                floor = f["done_at"][-1] - fs["started_at"]
                print(f"  floor: the same client, {f['bytes'] / 1e6:,.0f} MB from a server that only writes them "
                      f"({fs['body_bytes'] / 1e6:.1f} MB per stream)        {floor:7.3f} s; the service took "
                      f"{(last - finished) / floor:.2f}x the floor (its target of 1 s is {1 / floor:.2f}x)")
            else:
                print(f"  floor: not measured ({f.get('complete', 0)}/{n} streams complete: {f.get('error') or f.get('errors')})")
    per = (rss_after - rss_before) / n
    print(f"  server VmRSS before the streams {rss_before / 1024:.1f} MB, with {n:,} idle streams {rss_after / 1024:.1f} MB: "
          f"{per:.1f} KB per idle stream (target <= 20 KB)")
    print(f"  floor: {n:,} idle keep-alive connections after one GET /health each, on a fresh server: {float(keepalive_kb):.1f} KB "
          f"per connection; a stream's own share {per - float(keepalive_kb):.1f} KB")


def webhook_report(sink_file, orders_file, unsettled):
    s, o = json.load(open(sink_file)), json.load(open(orders_file))
    posted = o["finished_at"] - o["started_at"]
    print(f"Webhook throughput: one webhook (events [\"*\"]) to a receiver on loopback, {s['expected']:,} order.created events")
    print(f"  POST /orders: {o['created']:,} created, {o['failed']:,} failed in {posted:.2f} s ({o['created'] / posted:,.0f}/s)"
          + (f"; first failure {o['first_error']}" if o["first_error"] else ""))
    print(f"  received: {s['distinct']:,} distinct webhook-ids in {s['deliveries']:,} deliveries ("
          f"{', '.join(f'{n:,} {t}' for t, n in s['types'].items())}); "
          f"signatures verified {s['verified']:,}, bad {s['bad_signatures']:,}; deliveries per the API: {unsettled}")
    if s["distinct"] >= 2:
        first_last = s["last_at"] - s["first_at"]
        from_created = s["last_at"] - s["first_created_at"]
        print(f"  first -> last distinct delivery received      {first_last:7.2f} s  {(s['distinct'] - 1) / first_last:7.0f} deliveries/s (bound by the orders' rate)")
        print(f"  first event created -> last delivery          {from_created:7.2f} s  {s['distinct'] / from_created:7.0f} deliveries/s")
        backlog = [t for t in s["times"] if t > o["finished_at"]]
        drained = s["last_at"] - o["finished_at"]
        print(f"  last order posted -> last delivery            {drained:7.2f} s"
              + (f"  {len(backlog) / drained:7.0f} deliveries/s: the {len(backlog):,} left then (the backlog alone)"
                 if len(backlog) >= 100 else ": deliveries kept up with the orders"))


def backlog_report(sink_file, orders_file, worker_started, queued, unsettled):
    s, o = json.load(open(sink_file)), json.load(open(orders_file))
    posted = o["finished_at"] - o["started_at"]
    print(f"Webhook throughput on a backlog: {o['created']:,} orders posted to a node without workers in {posted:.2f} s "
          f"(deliveries queued: {queued}), then one `partner-catalog worker` process delivers them")
    print(f"  received: {s['distinct']:,} distinct webhook-ids in {s['deliveries']:,} deliveries; signatures verified "
          f"{s['verified']:,}, bad {s['bad_signatures']:,}; deliveries per the API afterwards: {unsettled}")
    if s["distinct"] >= 2:
        start = float(worker_started)
        print(f"  worker process started -> last delivery       {s['last_at'] - start:7.2f} s  "
              f"{s['distinct'] / (s['last_at'] - start):7.0f} deliveries/s (start-up included)")
        print(f"  first -> last distinct delivery received      {s['last_at'] - s['first_at']:7.2f} s  "
              f"{(s['distinct'] - 1) / (s['last_at'] - s['first_at']):7.0f} deliveries/s (target >= 500/s)")


def main(argv):
    command, args = argv[1], argv[2:]
    if command == "sink":
        port_file, secret_file, expected, timeout = args
        return asyncio.run(sink(port_file, secret_file, int(expected), float(timeout)))
    if command == "orders":
        url, key, partner, count, concurrency = args
        return asyncio.run(orders(url, key, partner, int(count), int(concurrency)))
    if command == "idle-connections":
        url, clients, pid = args
        return asyncio.run(idle_connections(url, int(clients), int(pid)))
    if command == "sse-report":
        f, finished, returned, before, after, keepalive, *floor = args
        return sse_report(f, finished, returned, int(before), int(after), keepalive, *floor)
    if command == "backlog-report":
        return backlog_report(*args)
    if command == "webhook-report":
        return webhook_report(*args)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv) or 0)
