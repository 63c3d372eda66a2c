#!/usr/bin/env python3
"""Generates a repository-like tree for the credential-scanning benchmark.

usage: bench/secrets.py MEGABYTES DIR

Writes source, config and docs files (64 KiB on average) that look like a real code base,
and plants fake credentials of several shapes at known places: one in every 40th file.
Prints how many were planted. The credentials are built here, from fillers, so that none
is committed to the repository.
"""

import os
import random
import sys

from textgen import ALNUM, B32, filler, line


def planted(rng):
    kind = rng.randrange(5)
    if kind == 0:
        return f'aws_access_key_id = "AKIA{filler(rng, 16, B32)}"'
    if kind == 1:
        return f"GITHUB_TOKEN=ghp_{filler(rng, 36, ALNUM)}"
    if kind == 2:
        return f"stripe_key: sk_live_{filler(rng, 28, ALNUM)}"
    if kind == 3:
        return f"DATABASE_URL=postgres://app:{filler(rng, 16, ALNUM)}@db.internal/shop"
    return f'client_secret = "{filler(rng, 28, ALNUM)}"'


def main():
    megabytes, root = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(7)
    total, index, count = 0, 0, 0
    target = megabytes * 1024 * 1024
    exts = [".rs", ".py", ".yaml", ".md", ".toml", ".env", ".js"]
    while total < target:
        directory = os.path.join(root, f"module{index // 100:03d}")
        os.makedirs(directory, exist_ok=True)
        lines = [line(rng) for _ in range(rng.randrange(800, 1800))]
        if index % 40 == 0:
            lines.insert(rng.randrange(len(lines)), planted(rng))
            count += 1
        text = "\n".join(lines) + "\n"
        ext = exts[index % len(exts)]
        if ext == ".yaml":
            text = "\n".join(f"{l.strip().replace(':', ' -')}: x" if not l.startswith("#") else l for l in lines) + "\n"
        with open(os.path.join(directory, f"file{index:05d}{ext}"), "w") as f:
            f.write(text)
        total += len(text)
        index += 1
    print(f"{index} files, {total / 1e6:.1f} MB, {count} planted credentials")


if __name__ == "__main__":
    main()
