#!/usr/bin/env bash
# VERIFY.md's commands, run as a user would run them, with their output
# checked against the page (so the page cannot go stale). TAP output.
#
# In VERIFY.md, a fenced block whose info string is "sh verify" holds
# commands; the next fenced block, "text expected", holds what they print
# (stdout and stderr together). In the expected text a lowercase word in
# angle brackets (<sha256>, <pid>, <commit subject>) matches any non-empty
# text within a line, and a line "..." matches any number of lines. Each
# block runs in a fresh bash at the top of the source tree, one after the
# other (later blocks may use files earlier ones made), in the environment
# of a plain shell (no make variables). Any other fenced block (another
# language, or none) could hold an untested command, so it fails the test,
# as does a "text expected" block that follows no commands. A command quoted
# inline in the text (a code span of two or more words whose first word is a
# program on PATH or under build/) must occur in a "sh verify" block, or it
# fails the test too: the page tells users to run only what is run here.
#
# Also checked: the README links to VERIFY.md, and `make reproduce` is among
# the commands (so `make check` always runs the reproducibility check).
# VERIFY.md names build/ literally, so under ASan (VIGIL_ASAN=1, where the
# suite runs against build-asan) the test is skipped: it ran already.
set -uo pipefail
cd "${VIGIL_SRC:-$(dirname "$0")/../..}" || exit 2

if [ "${VIGIL_ASAN:-0}" = 1 ]; then
  echo "ok 1 - VERIFY.md # SKIP checked once, against build/, in the plain suite"
  exit 0
fi
for tool in strace unshare nm readelf strings bsdtar python3; do
  command -v "$tool" >/dev/null || echo "not ok - VERIFY.md needs $tool, which is not installed"
done

CHECKER=$(cat <<'PY'
import os, re, shutil, subprocess, sys

page, readme = sys.argv[1], sys.argv[2]
lines = open(page, encoding="utf-8").read().split("\n")
n = int(os.environ.get("TAP_FIRST", "0"))  # TAP lines the shell printed
failed = 0


def tap(ok, what, detail=()):
    global n, failed
    n += 1
    failed += not ok
    print(("ok" if ok else "not ok") + f" {n} - {what}")
    for d in detail:
        print("#   " + d)
    sys.stdout.flush()


# Split the page into fenced blocks: (line number, info string, body lines).
blocks, i = [], 0
while i < len(lines):
    m = re.match(r"^(```+)\s*(.*?)\s*$", lines[i])
    if not m:
        i += 1
        continue
    fence, info, start, body = m.group(1), m.group(2), i + 1, []
    i += 1
    while i < len(lines) and not re.match("^" + fence + r"\s*$", lines[i]):
        body.append(lines[i])
        i += 1
    blocks.append((start, info, body))
    i += 1

PLACEHOLDER = re.compile(r"<[a-z][a-z0-9 _-]*>")


def line_regex(expected):
    parts, pos = [], 0
    for m in PLACEHOLDER.finditer(expected):
        parts.append(re.escape(expected[pos:m.start()]))
        parts.append(".+?")
        pos = m.end()
    parts.append(re.escape(expected[pos:]))
    return re.compile("".join(parts) + r"\Z")


def matches(exp, act):
    """exp: expected lines ('...' = any lines); act: actual lines."""
    pats = [None if e == "..." else line_regex(e) for e in exp]
    memo = {}

    def m(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(pats):
            r = j == len(act)
        elif pats[i] is None:
            r = any(m(i + 1, k) for k in range(j, len(act) + 1))
        else:
            r = j < len(act) and bool(pats[i].match(act[j])) and m(i + 1, j + 1)
        memo[(i, j)] = r
        return r

    return m(0, 0)


env = {k: v for k, v in os.environ.items()
       if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES",
                    "MAKE_TERMOUT", "MAKE_TERMERR", "VIGIL", "VIGIL_BUILD")}
runnable = 0
for k, (start, info, body) in enumerate(blocks):
    words = info.split()
    lang = words[0] if words else ""
    if words == ["text", "expected"]:
        prev = blocks[k - 1][1].split() if k > 0 else []
        if prev != ["sh", "verify"]:
            tap(False, f"{page}:{start} is a 'text expected' block after no 'sh verify' block")
        continue
    if words != ["sh", "verify"]:
        tap(False, f"{page}:{start} is a '{info}' block, which is not tested "
            "(commands go in 'sh verify', output in 'text expected')")
        continue
    runnable += 1
    title = f"{page}:{start} " + (body[0] if body else "(empty)")
    nxt = blocks[k + 1] if k + 1 < len(blocks) else None
    between = lines[start + len(body) + 1:nxt[0] - 1] if nxt else []
    if not nxt or nxt[1].split() != ["text", "expected"] or any(l.strip() for l in between):
        tap(False, title, ["no 'text expected' block right after the commands"])
        continue
    expected = nxt[2]
    try:
        p = subprocess.run(["bash", "-c", "\n".join(body)], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                           timeout=1800)
        out = p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        tap(False, title, ["timed out after 1800 s"])
        continue
    actual = [l.rstrip() for l in out.split("\n")]
    while actual and not actual[-1]:
        actual.pop()
    if matches([e.rstrip() for e in expected], actual):
        tap(True, title)
    else:
        detail = ["expected:"] + ["  " + e for e in expected] + ["got:"]
        detail += ["  " + a for a in actual[-60:]]
        tap(False, title, detail)

tap(runnable > 0, f"{page} has command blocks ({runnable})")

# Commands quoted in the text, outside the fenced blocks.
tested = "\n".join("\n".join(body) for _, info, body in blocks if info.split() == ["sh", "verify"])
prose = "\n".join(l for i, l in enumerate(lines)
                  if not any(st - 1 <= i <= st + len(b) for st, _, b in blocks))
untested = []
for span in sorted(set(re.findall(r"`([^`\n]+)`", prose))):
    words = span.split()
    if len(words) < 2 or span == "sh verify":
        continue
    if not (words[0].startswith("build/") or shutil.which(words[0])):
        continue
    # make check: the suite this test is part of.
    if span in tested or span == "make check":
        continue
    untested.append(span)
tap(not untested, f"{page}: every command quoted in the text is run by a block",
    [f"`{u}` is run by no 'sh verify' block" for u in untested])
tap(any(words == ["sh", "verify"] and any(l.strip() == "make reproduce" for l in body)
        for _, info, body in blocks for words in [info.split()]),
    f"{page} runs `make reproduce`")
tap(re.search(r"\]\(\.?/?VERIFY\.md\)", open(readme, encoding="utf-8").read()) is not None,
    f"{readme} links to {page}")
print(f"1..{n}")
sys.exit(1 if failed else 0)
PY
)

# First the checker itself, on a page that breaks each rule once: it must
# fail exactly those five ways (the rules are not toothless), and pass the
# one good block. Its output is indented, so it counts as one TAP line here.
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# shellcheck disable=SC2016
{
  printf '# bad page\n\nRun `strace -f nowhere` and `make build`.\n\n'
  printf '```sh verify\nmake build >/dev/null 2>&1 || true; echo hi\n```\n\n```text expected\nhi\n```\n\n'
  printf '```sh verify\necho what the page does not say\n```\n\n```text expected\nwhat the page says\n```\n\n'
  printf '```bash\necho untested\n```\n\n```\necho untested too\n```\n\n'
  printf '```text expected\nnobody ran me\n```\n'
} >"$t/BAD.md"
printf 'nothing here\n' >"$t/README.md"
mkdir -p "$t/tree" && printf 'build:\n\t@true\n' >"$t/tree/Makefile"
self=$(cd "$t/tree" && python3 -c "$CHECKER" ../BAD.md ../README.md 2>&1)
want=$'ok 1 - ../BAD.md:5 make build >/dev/null 2>&1 || true; echo hi
not ok 2 - ../BAD.md:13 echo what the page does not say
#   expected:
#     what the page says
#   got:
#     what the page does not say
not ok 3 - ../BAD.md:21 is a \'bash\' block, which is not tested (commands go in \'sh verify\', output in \'text expected\')
not ok 4 - ../BAD.md:25 is a \'\' block, which is not tested (commands go in \'sh verify\', output in \'text expected\')
not ok 5 - ../BAD.md:29 is a \'text expected\' block after no \'sh verify\' block
ok 6 - ../BAD.md has command blocks (2)
not ok 7 - ../BAD.md: every command quoted in the text is run by a block
#   `strace -f nowhere` is run by no \'sh verify\' block'
if [[ $self == "$want"* ]]; then echo "ok 1 - the checker fails a page with wrong output, untested blocks, an orphan output and an untested inline command"; else
  echo "not ok 1 - the checker fails a page with wrong output, untested blocks, an orphan output and an untested inline command"
  printf '%s\n' "$self" | sed 's/^/#   /'
fi

TAP_FIRST=1 exec python3 -c "$CHECKER" VERIFY.md README.md
