#!/usr/bin/env python3
"""Runs a command several times and prints its median run: wall seconds, peak RSS (KiB)
and CPU seconds (user + system), as `SECONDS KIB CPU` on one line.

The wall time is read from the monotonic clock around the child, to the microsecond;
GNU time's `%e` drops everything below 10 ms (`0.049` shows as `0.04`), a fifth of a
3,000-object scan. Peak RSS and CPU come from `wait4`, as GNU time reads them: the
child's, and those of the processes it waited for (tollgate's `git`).

usage: measure.py RUNS COMMAND [ARGS...]   (the command's output is discarded)
"""

import os
import subprocess
import sys
import time


def run_once(command):
    """One run: (wall seconds, peak RSS in KiB, CPU seconds)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
    # tollgate exits 0, 1 or 2 (and Checkov 0 or 1): anything else is a crash, not a run.
    if not 0 <= child.returncode <= 2:
        sys.exit(f"measure.py: {command[0]} ended with status {child.returncode}")
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def main():
    runs, command = int(sys.argv[1]), sys.argv[2:]
    results = sorted(run_once(command) for _ in range(runs))
    wall, kib, cpu = results[(len(results) - 1) // 2]  # the median, the lower of two
    print(f"{wall:.4f} {kib} {cpu:.3f}")


if __name__ == "__main__":
    main()
