"""readme_demo.py README.md DEMO_OUTPUT: the README's demo transcript stays
true. Every line of the README's first code block after the quick start
(except the "…" elisions) must appear in the demo output, in order, once
the parts that differ between runs are normalized: execution and job IDs,
ports, timings and durations."""
import re
import sys

NORM = [
    (re.compile(r"\x1b\[[0-9;]*m"), ""),
    (re.compile(r"ex-[0-9a-f]{16}"), "ex-ID"),
    (re.compile(r"drsjob-[0-9a-f]+"), "drsjob-ID"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"\[\s*\d+\.\d+s\]"), "[T]"),
    (re.compile(r"\b\d+\.\d+s\b"), "Ns"),
    (re.compile(r"\b\d+ ms\b"), "N ms"),
    (re.compile(r"finished in \d+ s"), "finished in N s"),
    (re.compile(r"batch \d+: \d+ servers"), "batch N: N servers"),
    (re.compile(r"batch \d+: job"), "batch N: job"),
    (re.compile(r"\d+ launched, 0 failed"), "N launched, 0 failed"),
    (re.compile(r"\s+$"), ""),
]


def norm(line):
    for rx, rep in NORM:
        line = rx.sub(rep, line)
    return line


readme = open(sys.argv[1]).read()
start = readme.index("```\n== 1.")
block = readme[start + 4:readme.index("```", start + 4)].split("\n")
want = [norm(l) for l in block if l.strip() and l.strip() != "…"]
have = [norm(l) for l in open(sys.argv[2]).read().split("\n")]
pos = 0
for w in want:
    try:
        pos = have.index(w, pos) + 1
    except ValueError:
        sys.exit("README line not in the demo output (in order): %r" % w)
print("%d README lines found in order in the demo output" % len(want))
