#!/usr/bin/env python3
"""Draws the scale experiment's curves (ScaleExperiment's JSON) as one SVG image for SCALE.md: per fleet size N,
the time until every instance is served and the Redis commands per instance, for the cold start, the steady
lifetimes and the revocation. Plain SVG, no plotting library, so it runs wherever python3 does.

Usage: python3 benchmarks/scale_plot.py scale.json[,more.json] [before.json] > benchmarks/scale-curves.svg
(more.json: further sizes of the same build run separately; before.json: a run of the build before a change,
drawn dashed beside it).
"""
import json
import math
import sys

WIDTH, HEIGHT = 460, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 36, 48
COLOURS = {"cold start": "#1f77b4", "steady, per lifetime": "#2ca02c", "revocation": "#d62728"}


def load(paths):
    runs = []
    for path in paths.split(","):
        with open(path) as f:
            runs.extend(json.load(f)["runs"])
    return sorted(runs, key=lambda r: r["instances"])


def served(runs):
    return {
        "cold start": [(r["instances"], r["coldStart"]["servedMillis"]["max"]) for r in runs],
        "revocation": [(r["instances"], r["revocation"]["servedMillis"]["max"]) for r in runs],
    }


def commands(runs):
    def per_instance(r, event):
        return r[event]["redisCommandsTotal"] / r["instances"]

    return {
        "cold start": [(r["instances"], per_instance(r, "coldStart")) for r in runs],
        "steady, per lifetime": [(r["instances"], r["steady"]["redisCommandsPerInstancePerLifetime"]) for r in runs],
        "revocation": [(r["instances"], per_instance(r, "revocation")) for r in runs],
    }


def nice_max(value):
    step = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        if value <= m * step:
            return m * step
    return 10 * step


def panel(x0, title, y_label, series, before):
    sizes = sorted({n for points in series.values() for n, _ in points})
    y_max = nice_max(max(v for points in list(series.values()) + list(before.values()) for _, v in points))
    lo, hi = math.log10(min(sizes)), math.log10(max(sizes))

    def x(n):
        return x0 + LEFT + (math.log10(n) - lo) / (hi - lo) * (WIDTH - LEFT - RIGHT)

    def y(v):
        return TOP + (1 - v / y_max) * (HEIGHT - TOP - BOTTOM)

    out = [f'<text x="{x0 + WIDTH / 2}" y="18" text-anchor="middle" font-weight="bold">{title}</text>']
    out.append(f'<line x1="{x0 + LEFT}" y1="{y(0)}" x2="{x0 + WIDTH - RIGHT}" y2="{y(0)}" stroke="#333"/>')
    out.append(f'<line x1="{x0 + LEFT}" y1="{TOP}" x2="{x0 + LEFT}" y2="{y(0)}" stroke="#333"/>')
    for i in range(5):
        v = y_max * i / 4
        out.append(f'<text x="{x0 + LEFT - 6}" y="{y(v) + 4}" text-anchor="end">{v:g}</text>')
        out.append(f'<line x1="{x0 + LEFT}" y1="{y(v)}" x2="{x0 + WIDTH - RIGHT}" y2="{y(v)}" stroke="#eee"/>')
    for n in sizes:
        out.append(f'<text x="{x(n)}" y="{y(0) + 16}" text-anchor="middle">{n}</text>')
    out.append(f'<text x="{x0 + WIDTH / 2}" y="{HEIGHT - 8}" text-anchor="middle">instances N (log scale)</text>')
    out.append(f'<text x="{x0 + 14}" y="{TOP + (HEIGHT - TOP - BOTTOM) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 {x0 + 14} {TOP + (HEIGHT - TOP - BOTTOM) / 2})">{y_label}</text>')
    for dashed, lines in ((True, before), (False, series)):
        for name, points in lines.items():
            colour = COLOURS[name]
            path = " ".join(f"{x(n):.1f},{y(v):.1f}" for n, v in points)
            dash = ' stroke-dasharray="5,4"' if dashed else ""
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
            if not dashed:
                out.extend(f'<circle cx="{x(n):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>' for n, v in points)
    return out


def main():
    runs = load(sys.argv[1])
    before = load(sys.argv[2]) if len(sys.argv) > 2 else []
    body = panel(0, "Last instance served", "ms", served(runs), served(before) if before else {})
    body += panel(WIDTH, "Redis commands per instance", "commands", commands(runs),
                  commands(before) if before else {})
    legend_y = HEIGHT + 14
    x = 40
    for name, colour in COLOURS.items():
        body.append(f'<line x1="{x}" y1="{legend_y}" x2="{x + 24}" y2="{legend_y}" stroke="{colour}" stroke-width="2"/>')
        body.append(f'<text x="{x + 30}" y="{legend_y + 4}">{name}</text>')
        x += 190
    if before:
        body.append(f'<line x1="{x}" y1="{legend_y}" x2="{x + 24}" y2="{legend_y}" stroke="#333" stroke-width="2" '
                    'stroke-dasharray="5,4"/>')
        body.append(f'<text x="{x + 30}" y="{legend_y + 4}">before the change</text>')
    print(f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * WIDTH}" height="{HEIGHT + 28}" '
          f'font-family="sans-serif" font-size="11">')
    print(f'<rect width="{2 * WIDTH}" height="{HEIGHT + 28}" fill="white"/>')
    print("\n".join(body))
    print("</svg>")


if __name__ == "__main__":
    main()
