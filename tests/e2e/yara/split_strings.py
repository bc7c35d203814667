#!/usr/bin/env python3
"""tests/e2e/yara/split_strings.py - per-file (rule, offset, data) lines from
one `yara -s -r` run or one `vigil scan --threads 1 --all-match
--yara-strings` run, so diff_yara_strings.sh starts each tool once.

usage: split_strings.py yara|vigil < output > "FILE<TAB>line" lines, sorted
yara prints "RULE PATH" then that rule's string lines; vigil prints a
file's string lines, then its "PATH: RULE FOUND" (or "PATH: OK") lines.
"""
import re
import sys

tool = sys.argv[1]
out = []
if tool == "yara":
    path = rule = None
    for line in sys.stdin.read().splitlines():
        if line.startswith("0x"):
            out.append("%s\t%s:%s" % (path, rule, line))
        else:
            rule, path = line.split(" ", 1)
            out.append("%s\tRULE %s" % (path, rule))
else:
    pending = []
    for line in sys.stdin.read().splitlines():
        m = re.match(r"^(.*): (\S+) FOUND$", line)
        ok = re.match(r"^(.*): OK$", line)
        if m or ok:
            path = (m or ok).group(1)
            out.extend("%s\t%s" % (path, s) for s in pending)
            pending = []
            if m:
                out.append("%s\tRULE %s" % (path, m.group(2)))
        else:
            pending.append(line)
    out.extend("?\t%s" % s for s in pending)
for line in sorted(out):
    print(line)
