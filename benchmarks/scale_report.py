#!/usr/bin/env python3
"""Renders the scale experiment's JSON (ScaleExperiment) as the markdown tables and text curves of SCALE.md.

Usage: python3 benchmarks/scale_report.py after.json [before.json]
(before.json: a run of the build without the fix, for the before/after comparison).
"""
import json
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def d(m, *keys, default="–"):
    for k in keys:
        if not isinstance(m, dict) or k not in m:
            return default
        m = m[k]
    return m


def fmt(x, digits=1):
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def outcomes(m):
    return ", ".join(f"{k} {v}" for k, v in sorted(m.items())) if m else "–"


def main_table(runs):
    print("| N | startup s | cold: token requests | cold: served p50 / p99 / max ms | cold: new token to p99 / last "
          "instance ms | cold: lock waiters at peak | cold: lock waits | cold: Redis commands (per instance) | "
          "cold: Redis CPU ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        c = r["coldStart"]
        n = r["instances"]
        print(f"| {n} | {fmt(r['startupSeconds'])} | {c['tokenRequests']} | {d(c, 'servedMillis', 'p50')} / "
              f"{d(c, 'servedMillis', 'p99')} / {d(c, 'servedMillis', 'max')} | {d(c, 'newTokenDelayMillis', 'p99')} / "
              f"{d(c, 'newTokenDelayMillis', 'max')} | {c['lockWaitsPeak']} | {outcomes(c['lockWaits'])} | "
              f"{c['redisCommandsTotal']} ({c['redisCommandsTotal'] / n:.1f}) | {c['redisCpuMillis']} |")
    print()
    print("| N | steady: token requests / lifetime | steady: Redis commands / lifetime (per instance) | "
          "steady: commands / renewal | steady: Redis CPU ms / lifetime | steady: renewal to p99 / last instance ms "
          "(worst renewal) | steady: calls failed | revocation: token requests | revocation: served p50 / p99 / max ms "
          "| revocation: new token to last instance ms | revocation: Redis commands (per instance) | revocation: lock waits |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        s = r["steady"]
        v = r["revocation"]
        n = r["instances"]
        print(f"| {n} | {fmt(s['tokenRequestsPerLifetime'], 2)} | {fmt(s['redisCommandsPerLifetime'], 0)} "
              f"({fmt(s['redisCommandsPerInstancePerLifetime'], 1)}) | {fmt(s['redisCommandsPerRenewal'], 0)} | "
              f"{fmt(s['redisCpuMillisPerLifetime'], 0)} | {d(s, 'renewalDelayP99Millis', 'max')} / "
              f"{d(s, 'renewalDelayLastMillis', 'max')} | {s['callsFailed']} | {v['tokenRequests']} | "
              f"{d(v, 'servedMillis', 'p50')} / {d(v, 'servedMillis', 'p99')} / {d(v, 'servedMillis', 'max')} | "
              f"{d(v, 'newTokenDelayMillis', 'max')} | {v['redisCommandsTotal']} ({v['redisCommandsTotal'] / n:.1f}) | "
              f"{outcomes(v['lockWaits'])} |")
    print()
    print("| N | Redis clients | pub/sub channels: subscribers | Redis used memory MB (per instance KB) | "
          "Redis client buffers KB | JVM heap per instance MB | JVM threads per instance | load average at start |")
    print("|---|---|---|---|---|---|---|---|")
    for r in runs:
        x = r["redis"]
        j = r["jvm"]
        chans = ", ".join(f"`{k}`: {v}" for k, v in sorted(x["pubsubChannels"].items()))
        print(f"| {r['instances']} | {x['connectedClients']} | {chans} | {x['usedMemoryBytes'] / 1048576:.1f} "
              f"({x['usedMemoryPerInstanceBytes'] / 1024:.0f}) | {x['clientsMemoryBytes'] / 1024:.0f} | "
              f"{j['heapPerInstanceBytes'] / 1048576:.1f} | {fmt(j['threadsPerInstance'], 1)} | "
              f"{' '.join(r['loadAverageAtStart'].split()[0:3])} |")
    print()


def comparison(before, after):
    b = {r["instances"]: r for r in before}
    print("| N | build | cold: served p50 / p99 / max ms | cold: lock waits | cold: lock script runs (`evalsha`) | "
          "cold: Redis commands per instance | revocation: served max ms | revocation: commands per instance |")
    print("|---|---|---|---|---|---|---|---|")
    for r in after:
        n = r["instances"]
        for name, run in (("before", b.get(n)), ("after", r)):
            if run is None:
                continue
            c = run["coldStart"]
            v = run["revocation"]
            print(f"| {n} | {name} | {d(c, 'servedMillis', 'p50')} / {d(c, 'servedMillis', 'p99')} / "
                  f"{d(c, 'servedMillis', 'max')} | {outcomes(c['lockWaits'])} | {c['redisCommands'].get('evalsha', 0)} | "
                  f"{c['redisCommandsTotal'] / n:.1f} | {d(v, 'servedMillis', 'max')} | {v['redisCommandsTotal'] / n:.1f} |")
    print()


def curve(title, series, unit):
    """A horizontal bar per (label, value), scaled to the largest value."""
    print(f"{title} ({unit})")
    print("```")
    top = max(v for _, v in series) or 1
    for label, v in series:
        bar = "#" * max(1, round(40 * v / top))
        print(f"{label:>12} | {bar} {v:g}")
    print("```")
    print()


def curves(before, after):
    b = {r["instances"]: r for r in before}
    series = []
    for r in after:
        n = r["instances"]
        if n in b:
            series.append((f"N={n} before", float(d(b[n], "coldStart", "servedMillis", "max"))))
        series.append((f"N={n} after", float(d(r, "coldStart", "servedMillis", "max"))))
    curve("Cold start: last instance served", series, "ms")
    series = []
    for r in after:
        n = r["instances"]
        if n in b:
            series.append((f"N={n} before", round(b[n]["coldStart"]["redisCommandsTotal"] / n, 1)))
        series.append((f"N={n} after", round(r["coldStart"]["redisCommandsTotal"] / n, 1)))
    curve("Cold start: Redis commands per instance", series, "commands")
    series = [(f"N={r['instances']}", round(r["steady"]["redisCommandsPerInstancePerLifetime"], 1)) for r in after]
    curve("Steady: Redis commands per instance per token lifetime", series, "commands")


def main():
    after = load(sys.argv[1])
    before = load(sys.argv[2]) if len(sys.argv) > 2 else None
    main_table(after["runs"])
    if before:
        comparison(before["runs"], after["runs"])
        curves(before["runs"], after["runs"])
    else:
        curves([], after["runs"])


if __name__ == "__main__":
    main()
