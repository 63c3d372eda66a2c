#!/usr/bin/env python3
"""Generates a Git repository with a long history for the `--history` benchmark.

usage: history.py COMMITS MEGABYTES OVERSIZED_MEGABYTES DIR

Writes COMMITS commits through `git fast-import`; each changes one of 400 text files (code,
config, docs) by rewriting a few of its lines, so that every commit adds a new blob and
the blobs add up to MEGABYTES of content. Three fake credentials are planted in three
versions, built here from fillers so that none is ever committed to this project. Two
blobs of OVERSIZED_MEGABYTES each (over tollgate's default 64 MiB file limit) are
committed too: a scan must skip them without reading them. Prints what it wrote.
"""

import random
import subprocess
import sys

from textgen import ALNUM, B32, filler, line

FILES = 400


def planted(rng, i):
    return [
        f'aws_access_key_id = "AKIA{filler(rng, 16, B32)}"',
        f"GITHUB_TOKEN=ghp_{filler(rng, 36, ALNUM)}",
        f"DATABASE_URL=postgres://app:{filler(rng, 16, ALNUM)}@db.internal/shop",
    ][i]


class Writer:
    """Feeds `git fast-import` one commit at a time."""

    def __init__(self, directory):
        self.proc = subprocess.Popen(["git", "-C", directory, "fast-import", "--quiet"],
                                     stdin=subprocess.PIPE)
        self.out = self.proc.stdin
        self.mark = 0
        self.time = 1_700_000_000

    def commit(self, message, changes):
        """`changes`: (path, bytes) to write, or (path, None) to delete."""
        self.mark += 1
        self.time += 600
        when = f"{self.time} +0000"
        head = (f"commit refs/heads/main\nmark :{self.mark}\n"
                f"author Bench <bench@example.com> {when}\n"
                f"committer Bench <bench@example.com> {when}\n")
        data = message.encode()
        self.out.write(head.encode() + b"data %d\n" % len(data) + data + b"\n")
        if self.mark > 1:
            self.out.write(b"from :%d\n" % (self.mark - 1))
        for path, content in changes:
            if content is None:
                self.out.write(f"D {path}\n".encode())
            else:
                self.out.write(f"M 100644 inline {path}\n".encode())
                self.out.write(b"data %d\n" % len(content) + content + b"\n")

    def close(self):
        self.out.close()
        if self.proc.wait() != 0:
            sys.exit("git fast-import failed")


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    commits, megabytes, oversized_mb, directory = (int(sys.argv[1]), int(sys.argv[2]),
                                                   int(sys.argv[3]), sys.argv[4])
    subprocess.run(["git", "init", "-q", "-b", "main", directory], check=True)
    rng = random.Random(14)
    pool = [line(rng) for _ in range(20_000)]
    mean_line = sum(len(text) + 1 for text in pool) / len(pool)
    lines_per_file = max(1, int(megabytes * 1e6 / commits / mean_line))
    exts = [".rs", ".py", ".yaml", ".md", ".toml", ".env", ".js"]
    paths = [f"src/module{i // 40:02d}/file{i:03d}{exts[i % len(exts)]}" for i in range(FILES)]
    files = {}
    writer = Writer(directory)
    total = 0
    for n in range(commits):
        path = paths[n % FILES]
        content = files.get(path)
        if content is None:
            content = rng.choices(pool, k=lines_per_file)
        else:
            for _ in range(8):
                content[rng.randrange(len(content))] = rng.choice(pool)
        if n in (commits // 5, commits // 2, 4 * commits // 5):
            content[rng.randrange(len(content))] = planted(rng, [commits // 5, commits // 2,
                                                                 4 * commits // 5].index(n))
        files[path] = content
        data = ("\n".join(content) + "\n").encode()
        total += len(data)
        changes = [(path, data)]
        if n == commits // 3:
            changes.append(("assets/dump-a.bin", b"x" * (oversized_mb << 20)))
        if n == 2 * commits // 3:
            changes.append(("assets/dump-b.bin", b"y" * (oversized_mb << 20)))
            changes.append(("assets/dump-a.bin", None))
        writer.commit(f"change {path} ({n})", changes)
    writer.close()
    print(f"{commits} commits, {commits} text blobs of {total / 1e6:.0f} MB, "
          f"2 oversized blobs of {oversized_mb} MiB, in {directory}")


if __name__ == "__main__":
    main()
