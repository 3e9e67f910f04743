#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Compares the verifier's output (bpftool prog dump xlated) of two builds of
the flowgate object, function by function: does a change add instructions to
the entry programs (the per-packet path) or only to a subprogram?

    bench/xlated_diff.py OLD.bpf.o NEW.bpf.o [PROG ...]   (root; default: the three hooks)

Loads each object with `bpftool prog loadall` into a throw-away pin dir under
/sys/fs/bpf, dumps each program, splits the dump into its functions (the
entry program and its subprograms), normalises map ids, addresses, jump
offsets and call tags, and prints per function the instruction counts and
whether the two are the same instruction for instruction.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def dump(obj, progs):
    pins = tempfile.mkdtemp(prefix="fg-xlated-%d-" % os.getpid(), dir="/sys/fs/bpf")
    os.rmdir(pins)
    try:
        subprocess.run(["bpftool", "prog", "loadall", obj, pins], check=True)
        return {p: subprocess.run(["bpftool", "prog", "dump", "xlated", "pinned",
                                   os.path.join(pins, p)], check=True,
                                  capture_output=True, text=True).stdout for p in progs}
    finally:
        shutil.rmtree(pins, ignore_errors=True)


def functions(text):
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^(?:static )?\S.*?(\w+)\(.*\):\s*$", line)
        if m and not line.startswith((" ", ";")):
            cur = m.group(1)
            out[cur] = []
            continue
        if re.match(r"^\s*\d+:", line):
            ins = re.sub(r"^\s*\d+:\s*", "", line)
            ins = re.sub(r"map\[id:\d+\]", "map[id:N]", ins)
            ins = re.sub(r"0x[0-9a-f]{8,}", "ADDR", ins)
            ins = re.sub(r"pc\+\d+", "pc+N", ins)
            ins = re.sub(r"bpf_prog_[0-9a-f]+_", "bpf_prog_TAG_", ins)
            out[cur].append(ins)
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    old, new = sys.argv[1], sys.argv[2]
    progs = sys.argv[3:] or ["fg_xdp", "fg_tc_ingress", "fg_tc_egress"]
    a, b = dump(old, progs), dump(new, progs)
    for p in progs:
        fa, fb = functions(a[p]), functions(b[p])
        print("== %s" % p)
        for f in sorted(set(fa) | set(fb)):
            la, lb = fa.get(f), fb.get(f)
            print("  %-20s %6s -> %-6s %s" % (f, len(la) if la else "-", len(lb) if lb else "-",
                                              "same" if la == lb else "DIFFERENT"))


if __name__ == "__main__":
    main()
