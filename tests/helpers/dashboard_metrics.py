#!/usr/bin/python3
"""Prints, one a line, the metric names a Grafana dashboard's PromQL uses.

Usage: dashboard_metrics.py DASHBOARD.json

Reads every "expr" (panel targets) and every templating query, then drops
what is not a metric name: string literals, label matchers ({...}), range
and subquery selectors ([...]), the label lists of by/without/on/ignoring/
group_left/group_right, function names (an identifier before "("),
keywords and numbers. Exit 1 when the dashboard has no query at all.
"""
import json
import re
import sys

KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "and", "or", "unless", "offset", "inf", "nan", "atan2"}
GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def exprs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("expr", "definition") and isinstance(v, str):
                yield v
            elif k == "query" and isinstance(v, str):
                yield v
            else:
                yield from exprs(v)
    elif isinstance(node, list):
        for v in node:
            yield from exprs(v)


def names(expr):
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)
    e = re.sub(r"\{[^}]*\}", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)
    e = GROUPING.sub(" ", e)
    # label_values(metric, label): the label is no metric
    e = re.sub(r"\blabel_values\s*\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,[^)]*\)", r"\1", e)
    out = set()
    for m in IDENT.finditer(e):
        word, rest = m.group(0), e[m.end():].lstrip()
        if rest.startswith("(") or word.lower() in KEYWORDS or word.startswith("$"):
            continue
        if e[max(0, m.start() - 1)] == "$":  # a Grafana variable
            continue
        out.add(word)
    return out


def main():
    with open(sys.argv[1]) as f:
        dash = json.load(f)
    found, n = set(), 0
    for expr in exprs(dash):
        if expr == "prometheus":  # the datasource variable's type
            continue
        n += 1
        found |= names(expr)
    if not n:
        print("no queries found", file=sys.stderr)
        sys.exit(1)
    for name in sorted(found):
        print(name)


main()
