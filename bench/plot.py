#!/usr/bin/env python3
"""Draws bench/scale.sh's measurements as an SVG: wall time and peak memory against the
number of objects (log-log), one panel each, without any plotting library.

usage: plot.py SCALE_TSV OUT_SVG
"""

import math
import sys

WIDTH, HEIGHT, MARGIN = 360, 260, 56


def ticks(low, high):
    """Powers of ten covering [low, high]."""
    return [10 ** e for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)]


def label(value):
    for unit, size in (("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:g}{unit}"
    return f"{value:g}"


def panel(x0, title, unit, points):
    """One log-log chart at horizontal offset x0."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    xt, yt = ticks(min(xs), max(xs)), ticks(min(ys), max(ys))
    lx = (math.log10(xt[0]), math.log10(xt[-1]))
    ly = (math.log10(yt[0]), math.log10(yt[-1]))

    def at(x, y):
        px = x0 + MARGIN + (math.log10(x) - lx[0]) / (lx[1] - lx[0] or 1) * (WIDTH - MARGIN - 16)
        py = HEIGHT - MARGIN + 16 - (math.log10(y) - ly[0]) / (ly[1] - ly[0] or 1) * (HEIGHT - MARGIN - 24)
        return px, py

    parts = [f'<text x="{x0 + WIDTH / 2}" y="16" text-anchor="middle" font-weight="bold">{title}</text>']
    for x in xt:
        px, py = at(x, yt[0])
        parts.append(f'<line x1="{px:.1f}" y1="24" x2="{px:.1f}" y2="{py:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{px:.1f}" y="{py + 16:.1f}" text-anchor="middle">{label(x)}</text>')
    for y in yt:
        px, py = at(xt[0], y)
        parts.append(f'<line x1="{px:.1f}" y1="{py:.1f}" x2="{x0 + WIDTH - 16}" y2="{py:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{px - 6:.1f}" y="{py + 4:.1f}" text-anchor="end">{label(y)} {unit}</text>')
    line = " ".join(f"{px:.1f},{py:.1f}" for px, py in (at(x, y) for x, y in points))
    parts.append(f'<polyline points="{line}" fill="none" stroke="#1f6feb" stroke-width="2"/>')
    for x, y in points:
        px, py = at(x, y)
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="#1f6feb"/>')
    parts.append(f'<text x="{x0 + WIDTH / 2}" y="{HEIGHT + 10}" text-anchor="middle">objects</text>')
    return parts


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()[1:]]
    seconds = [(int(r[0]), float(r[2])) for r in rows]
    memory = [(int(r[0]), int(r[3]) / 1024) for r in rows]
    body = panel(0, "wall time", "s", seconds) + panel(WIDTH + 20, "peak RSS", "MiB", memory)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * WIDTH + 20}" height="{HEIGHT + 20}" '
           f'font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n'
           + "\n".join(body) + "\n</svg>\n")
    with open(sys.argv[2], "w") as f:
        f.write(svg)


if __name__ == "__main__":
    main()
