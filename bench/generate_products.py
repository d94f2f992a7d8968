#!/usr/bin/env python3
"""Writes a products feed of N rows (deterministic), optionally with a share of prices changed."""
import sys

def main():
    rows = int(sys.argv[1])
    out = sys.argv[2]
    changed_every = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    with open(out, "w", newline="") as f:
        f.write("sku,product_name,description,brand,category,price,currency,availability,quantity,image_url\n")
        block = []
        for i in range(rows):
            cents = (i * 7919) % 100000
            if changed_every and i % changed_every == 0:
                cents += 1
            block.append(
                f"SKU-{i:08d},Product {i} with a realistic name,\"Durable, lightweight item number {i}\","
                f"Brand {i % 97},Category {i % 23},{cents // 100}.{cents % 100:02d},USD,in_stock,{i % 50},"
                f"https://img.example.com/{i}.jpg\n")
            if len(block) == 10000:
                f.write("".join(block))
                block = []
        f.write("".join(block))

if __name__ == "__main__":
    main()
