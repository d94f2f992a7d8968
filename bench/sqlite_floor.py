#!/usr/bin/env python3
"""What SQLite alone takes for the two steps no ETL design can skip, on a catalog the ETL just loaded.

Usage: sqlite_floor.py CATALOG.sqlite SCRATCH_DIR

- insert: the partner's products copied, as stored, into an empty table with `products`' schema and
  indexes (the same pragmas as the store), so no parsing, validation or staging is counted. The
  WHERE clause keeps SQLite from copying the table and index b-trees page by page (its transfer
  optimisation for `INSERT INTO a SELECT * FROM b`), which no load of new rows can do;
- compare: every product's (sku, fingerprint) looked up in `products` the way an unchanged re-run
  must (one indexed probe per row), as a single join.
Prints one line per step: `insert SECONDS ROWS` and `compare SECONDS ROWS`.
"""
import os
import sqlite3
import sys
import time

source, scratch = sys.argv[1], sys.argv[2]
target = os.path.join(scratch, "floor.sqlite")
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(target + suffix):
        os.remove(target + suffix)

db = sqlite3.connect(target, isolation_level=None)
for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "cache_size = -32768"):
    db.execute("PRAGMA " + pragma)
db.execute("ATTACH ? AS src", (source,))
schema = db.execute(
    "SELECT sql FROM src.sqlite_master WHERE tbl_name = 'products' AND sql IS NOT NULL ORDER BY type = 'index'"
).fetchall()
for (sql,) in schema:
    db.execute(sql)

start = time.perf_counter()
db.execute("BEGIN")
rows = db.execute("INSERT INTO main.products SELECT * FROM src.products WHERE seq IS NOT NULL").rowcount
db.execute("COMMIT")
print(f"insert {time.perf_counter() - start:.3f} {rows}")

partner = db.execute("SELECT partner_id FROM src.products LIMIT 1").fetchone()[0]
db.execute("CREATE TEMP TABLE keys AS SELECT sku, row_fingerprint AS fingerprint FROM src.products")
start = time.perf_counter()
(found,) = db.execute(
    """SELECT count(*) FROM temp.keys k CROSS JOIN src.products p
       ON p.partner_id = ? AND p.sku = k.sku AND p.row_fingerprint = k.fingerprint AND p.status = 'active'""",
    (partner,),
).fetchone()
print(f"compare {time.perf_counter() - start:.3f} {found}")
db.close()
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(target + suffix):
        os.remove(target + suffix)
