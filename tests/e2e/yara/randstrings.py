#!/usr/bin/env python3
"""tests/e2e/yara/randstrings.py - random YARA strings and inputs made to
hit them, for diff_yara_strings.sh: the string matcher (windows, the
backtracking verifier, PCRE2 verification, whole-string fallback) must
report exactly yara's (offset, data) pairs.

Strings and inputs are drawn from one small alphabet, so matches overlap,
alternatives and jumps have several ways through, and windows recur many
times per file. Each input also gets planted instances of some strings
(with a byte or two changed now and then: near misses).

usage: randstrings.py [--stable] SEED NRULES NFILES OUTDIR
       -> OUTDIR/rules.yar, OUTDIR/in/*

--stable keeps to what vigil and yara 4.2.3 agree on (diff_yara_strings.sh
uses it). Left out, with the reason:
  - hex alternatives of different lengths: yara reports the branch its
    atom came from ({ (43 | 42 31 | 42) ?? } on "B1C" is "B1"), vigil the
    first branch that matches, as a backtracking regex does ("B1C");
  - regex \b at offset 0, regex fullword, and regexes whose first atom may
    be empty (/B?\w/): yara's atom choice skips matches PCRE finds;
  - wide regexes: yara widens the regex differently;
  - hex strings with two jumps or more: yara matches backwards from its
    atom and does not try every way through ({ 43 ?? [1-4] 4? [0-3] 43 61
    20 } on "C A C Ca " finds nothing);
  - regex groups with alternatives, and unbounded regex repeats: yara's
    regex engine picks other branches (/1.(\wA+?|B)/ on "11BA" is "11B",
    PCRE's "11BA") and caps how far .* reaches.
"""
import os
import random
import sys

ALPHA = [0x41, 0x42, 0x43, 0x61, 0x00, 0x0A, 0x20, 0xFF, 0x31]


def hexbyte(r):
    b = r.choice(ALPHA)
    k = r.random()
    if k < 0.08:
        return "??", None
    if k < 0.12:
        return "%X?" % (b >> 4), None
    if k < 0.16:
        return "?%X" % (b & 15), None
    return "%02X" % b, b


STABLE = False


def hex_seq(r, depth, n, in_alt):
    out = []
    jumps = 0
    for i in range(n):
        k = r.random()
        if i > 0 and k < 0.15 and not (STABLE and jumps):
            jumps += 1
            lo = r.randint(0, 4)
            if not in_alt and r.random() < 0.15:
                out.append("[%d-]" % lo)
            elif r.random() < 0.3:
                out.append("[%d]" % r.randint(1, 4))
            else:
                out.append("[%d-%d]" % (lo, lo + r.randint(0, 6)))
            out.append(hexbyte(r)[0])
        elif depth < 2 and k < 0.3:
            if STABLE:  # branches of one length, without jumps
                k = r.randint(1, 3)
                alts = [" ".join(hexbyte(r)[0] for _ in range(k))
                        for _ in range(r.randint(2, 3))]
            else:
                alts = [" ".join(hex_seq(r, depth + 1, r.randint(1, 3), True))
                        for _ in range(r.randint(2, 3))]
            out.append("( " + " | ".join(alts) + " )")
        else:
            out.append(hexbyte(r)[0])
    return out


def hex_string(r):
    body = hex_seq(r, 0, r.randint(2, 9), False)
    # a hex string must not start or end with a jump
    return "{ %s %s }" % (hexbyte(r)[0] if r.random() < 0.3 else "", " ".join(body))


REGEX_ATOMS = ["A", "B", "C", "a", "1", " ", "\\x00", "\\xff", "\\n", ".", "[AB]", "[^A]",
               "[a-c]", "\\d", "\\w", "\\s", "[\\x00-\\x31]"]


def regex_seq(r, depth):
    out = ""
    for i in range(r.randint(1, 5)):
        k = r.random()
        if depth < 2 and k < 0.15 and not STABLE:
            alts = [regex_seq(r, depth + 1) for _ in range(r.randint(2, 3))]
            atom = "(" + "|".join(alts) + ")"
        else:
            atom = r.choice(REGEX_ATOMS)
        q = r.random()
        if STABLE and i == 0 and depth == 0:
            q = 1.0  # the first atom is not optional
        elif STABLE and q < 0.18:
            q = 0.25  # no unbounded repeat
        if q < 0.1:
            atom += "*"
        elif q < 0.18:
            atom += "+"
        elif q < 0.24:
            atom += "?"
        elif q < 0.3:
            a = r.randint(0, 3)
            atom += "{%d,%d}" % (a, a + r.randint(0, 4))
        elif q < 0.34:
            atom += "{%d}" % r.randint(1, 4)
        if q < 0.34 and r.random() < 0.3:
            atom += "?"
        out += atom
    return out


def regex_string(r):
    s = regex_seq(r, 0)
    if r.random() < 0.1 and not STABLE:
        s = "\\b" + s
    mods = ""
    if r.random() < 0.3:
        mods += "i"
    if r.random() < 0.3:
        mods += "s"
    extra = ""
    if r.random() < 0.15 and not STABLE:
        extra = " wide ascii" if r.random() < 0.5 else " wide"
    if r.random() < 0.15 and not STABLE:
        extra += " fullword"
    return "/%s/%s%s" % (s, mods, extra)


def text_string(r):
    n = r.randint(1, 40) if r.random() < 0.2 else r.randint(1, 8)
    chars = "".join(r.choice("ABCa1 ") for _ in range(n))
    mods = []
    if r.random() < 0.3:
        mods.append("nocase")
    if r.random() < 0.25:
        mods.append(r.choice(["wide", "wide ascii"]))
    if r.random() < 0.1 and "nocase" not in mods:
        mods.append(r.choice(["xor", "xor(1-3)"]))
    if r.random() < 0.15:
        mods.append("fullword")
    return '"%s" %s' % (chars, " ".join(mods))


def main():
    global STABLE
    args = sys.argv[1:]
    if args and args[0] == "--stable":
        STABLE = True
        args = args[1:]
    seed, nrules, nfiles, outdir = args[0], int(args[1]), int(args[2]), args[3]
    r = random.Random(seed)
    os.makedirs(os.path.join(outdir, "in"), exist_ok=True)
    lines = []
    plants = []
    for i in range(nrules):
        k = r.random()
        if k < 0.5:
            s = hex_string(r)
        elif k < 0.8:
            s = regex_string(r)
        else:
            s = text_string(r)
            t = s[1:s.index('"', 1)].encode()
            plants.append(t)
        lines.append("rule r%d { strings: $a = %s condition: $a }" % (i, s))
    with open(os.path.join(outdir, "rules.yar"), "w") as f:
        f.write("\n".join(lines) + "\n")
    for j in range(nfiles):
        size = r.choice([1, 2, 7, 64, 300, 2000])
        data = bytearray(r.choice(ALPHA) for _ in range(size))
        for _ in range(r.randint(0, 6)):
            if not plants or not data:
                break
            p = bytearray(r.choice(plants))
            if r.random() < 0.3 and p:
                p[r.randrange(len(p))] = r.choice(ALPHA)
            if r.random() < 0.3:
                p = bytearray(b for c in p for b in (c, 0))
            at = r.randrange(len(data))
            data[at:at] = p
        with open(os.path.join(outdir, "in", "f%03d" % j), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
