#!/usr/bin/python3
"""Checks Prometheus text exposition format (version 0.0.4) on stdin.

Written for the tests: no Prometheus package on Debian ships promtool
without pulling in the server. Checks what the node_exporter textfile
collector rejects: bad metric or label names, bad escapes, bad values,
TYPE after samples or twice, a metric family split in two, duplicate
series, counters whose name does not end in _total. Exit 0 when valid,
1 with "line N: why" otherwise.
"""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(
    rf"^({NAME})(\{{(?:{LABEL}={LABEL_VALUE}(?:,{LABEL}={LABEL_VALUE})*,?)?\}})? "
    r"([-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+|NaN|[+-]?Inf))( -?[0-9]+)?$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def fail(n, why):
    print(f"line {n}: {why}")
    sys.exit(1)


def main():
    types, helps, seen_samples, done_families, series = {}, set(), set(), set(), set()
    current = None
    lines = sys.stdin.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    else:
        fail(len(lines), "output must end with a newline")
    if not lines:
        fail(0, "no metrics")
    for n, line in enumerate(lines, 1):
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 2 and parts[1] in ("HELP", "TYPE"):
                if len(parts) < 3 or not re.fullmatch(NAME, parts[2]):
                    fail(n, "bad metric name in " + parts[1])
                name = parts[2]
                if parts[1] == "TYPE":
                    if len(parts) != 4 or parts[3] not in TYPES:
                        fail(n, "bad TYPE")
                    if name in types:
                        fail(n, f"second TYPE for {name}")
                    if name in seen_samples:
                        fail(n, f"TYPE for {name} after its samples")
                    types[name] = parts[3]
                else:
                    if name in helps:
                        fail(n, f"second HELP for {name}")
                    helps.add(name)
            continue
        if not line.strip():
            fail(n, "empty line")
        m = SAMPLE.match(line)
        if not m:
            fail(n, f"not a valid sample: {line!r}")
        name = m.group(1)
        if name != current:
            if name in done_families:
                fail(n, f"samples of {name} are not together")
            if current:
                done_families.add(current)
            current = name
        seen_samples.add(name)
        key = (name, m.group(2) or "")
        if key in series:
            fail(n, f"duplicate series {name}{m.group(2) or ''}")
        series.add(key)
        if types.get(name) == "counter" and not name.endswith("_total"):
            fail(n, f"counter {name} should end in _total")
    print(f"ok: {len(series)} series")


main()
