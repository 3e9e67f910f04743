#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Where fg_xdp's time goes: builds copies of the flowgate object with one
part of the per-packet path taken out, and measures them interleaved with
the object as built, the reference LRU counter and the minimal array counter
(bench/dataplane_ab.py: one lab, the empty program measured in every round).

    bench/xdp_ablate.py [--flows 1000] [--rounds 9] [--only a,b] [--keep DIR]

Variants (each a text edit of a copy of dataplane-bpf/src, checked to apply):
  built       the object as built
  no_detect   without the per-host counters (fg_detect_count: fg_hosts lookup)
  no_table    without the flow table (fg_flow_count returns "taken")
  no_totals   without the generation lookup and the fg_totals update (half 0)
  triv_hash   the flow table with a one-multiply hash (xor of the six words)
  no_jiffies  the flow table without the time read (now = 0)
  parse_only  parse and settings only (fg_account returns at once)
  slot128     slots padded from 120 to 128 bytes (line-aligned: a hit touches
              exactly two lines, not two or three)
  ref         bench/ref_counter.bpf.c (LRU_HASH, helper calls, atomics)
  built2      the object as built, loaded a second time (its own table: how
              much two loads of one object differ, the noise floor of a row)
  min         bench/min_counter.bpf.c (array slot by source address, 2 adds)
  min_spread  the same, one 64-byte line per flow at a hashed place
The variants are measurements, not valid probes (their counts are not exact);
the edited ones carry no TC programs (some edits leave TC code the verifier
refuses, and fgload loads the whole object). BENCHMARKS.md "Where fg_xdp's
time goes at 1,000 flows" has a run.
Needs root; builds into a temporary directory (or --keep DIR).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# variant -> [(file under src/, old text, new text)]
EDITS = {
    "built": [],
    "built2": [],
    "no_detect": [("account.h", "fg_detect_count(pkt, packets, bytes, fresh || reason);", "")],
    "no_table": [("account.h", "reason = fg_flow_count(ctx, is_skb, pkt, set, half, packets,\n\t\t\t       bytes, &fresh);",
                  "reason = 0;")],
    "no_totals": [("account.h", "gen = bpf_map_lookup_elem(&fg_flow_gen, &zero);\n\tif (!gen)\n\t\treturn;\n\thalf = *gen & 1;",
                   "half = 0; (void)gen; (void)zero;"),
                  ("account.h", "tot = bpf_map_lookup_elem(&fg_totals, &idx);\n\tif (!tot)\n\t\treturn;",
                   "(void)idx; tot = 0;"),
                  ("account.h", "\t\ttot->other_packets += packets;\n\t\ttot->other_bytes += bytes;\n", ""),
                  ("account.h", "\ttot->packets += packets;\n\ttot->bytes += bytes;\n", ""),
                  ("account.h", "\t\ttot->insert_failed += packets;\n\t\ttot->insert_failed_bytes += bytes;\n", "")],
    "triv_hash": [("account.h", "#pragma unroll\n\tfor (i = 0; i < 6; i++) {\n\t\th = (h ^ w[i]) * FG_HASH_MUL;\n\t\th ^= h >> 29;\n\t}\n\th *= FG_HASH_MUL;\n\treturn h ^ (h >> 32);",
                   "(void)i;\n\th = w[0] ^ w[1] ^ w[2] ^ w[3] ^ w[4] ^ w[5];\n\treturn h * FG_HASH_MUL;")],
    "no_jiffies": [("account.h", "now = bpf_jiffies64();", "now = 0;")],
    "slot128": [("../include/flowgate.h", "\tstruct flow_stats stats; /* times in jiffies */\n};",
                 "\tstruct flow_stats stats; /* times in jiffies */\n\t__u64 pad;\n};")],
    "parse_only": [("account.h", "\tgen = bpf_map_lookup_elem(&fg_flow_gen, &zero);",
                    "\treturn;\n\tgen = bpf_map_lookup_elem(&fg_flow_gen, &zero);")],
}
FOREIGN = {"ref": "ref_counter.bpf.o:ref_xdp", "min": "min_counter.bpf.o:min_xdp",
           "min_spread": "min_spread_counter.bpf.o:min_xdp"}


def build(variant, tmp, build_dir):
    if variant in FOREIGN:
        return f"{build_dir}/{FOREIGN[variant]}"
    if variant == "built2":
        return build("built", tmp, build_dir)
    tree = f"{tmp}/{variant}"
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(f"{ROOT}/dataplane-bpf", tree)
    edits = list(EDITS[variant])
    if edits:
        # XDP only: some edits leave TC code the verifier refuses (fgload loads all)
        edits.append(("flowgate.bpf.c", 'SEC("tc")\nint fg_tc_ingress', '#if 0\nint fg_tc_ingress'))
        edits.append(("flowgate.bpf.c", "TC_ACT_UNSPEC;\n}\n\n/*", "TC_ACT_UNSPEC;\n}\n#endif\n\n/*"))
    for name, old, new in edits:
        path = f"{tree}/src/{name}"
        text = open(path).read()
        if text.count(old) != 1:
            sys.exit(f"xdp_ablate: {variant}: edit does not apply to {name}: {old[:60]!r}")
        open(path, "w").write(text.replace(old, new))
    subprocess.run(["make", "-s", "-C", tree, f"OUT={tree}/out",
                    "EXTRA_CFLAGS=-Wno-unused-variable -Wno-unused-but-set-variable -Wno-unused-function"],
                   check=True)
    return f"{tree}/out/flowgate.bpf.o"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flows", default="1000")
    ap.add_argument("--rounds", default="9")
    ap.add_argument("--only", default=",".join(list(EDITS) + list(FOREIGN)))
    ap.add_argument("--keep")
    args = ap.parse_args()
    build_dir = f"{ROOT}/bench/build"
    subprocess.run(["make", "-s", "-C", f"{ROOT}/bench", f"OUT={build_dir}"], check=True)
    tmp = args.keep or tempfile.mkdtemp(prefix="fg-ablate-")
    try:
        objs = [f"{v}={build(v, tmp, build_dir)}" for v in args.only.split(",")]
        return subprocess.run([sys.executable, f"{ROOT}/bench/dataplane_ab.py", build_dir, *objs,
                               "--flows", args.flows, "--rounds", args.rounds]).returncode
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
