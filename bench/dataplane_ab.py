#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""A/B of flowgate objects on real frames: the same lab and traffic as
bench/dataplane.py, one lab for the whole run, the objects measured in turn,
round after round, so a noisy neighbour hits all of them alike.

    bench/dataplane_ab.py BENCH_BUILD_DIR NAME=OBJ [NAME=OBJ ...] [--flows 1] [--rounds 9] [--hook xdp]

Each object is loaded once by fgload (flow table sized for 2 x flows x 1.25
per CPU, a settings entry for both veth ends); every round measures the
empty program, then each object's program at the hook, over one measured
pass after a warm-up pass (dataplane.py's measure()). Prints per object the
median and the spread of ns/packet net of the empty program measured in the
same round. Needs root; removes the lab on exit.
"""
import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dataplane as dp  # noqa: E402

PROGRAM = {"xdp": "fg_xdp", "tc-in": "fg_tc_ingress", "tc-out": "fg_tc_egress"}
EMPTY = {"xdp": "empty_xdp", "tc-in": "empty_tc", "tc-out": "empty_tc"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("objects", nargs="+", help="NAME=OBJ")
    ap.add_argument("--flows", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--hook", choices=sorted(PROGRAM), default="xdp")
    args = ap.parse_args()
    objects = [o.split("=", 1) for o in args.objects]

    stats_was = open("/proc/sys/kernel/bpf_stats_enabled").read().strip()
    net = {name: [] for name, _ in objects}
    try:
        dp.lab_up()
        dp.sh("sysctl", "-q", "-w", "kernel.bpf_stats_enabled=1")
        host_if, peer_if = dp.ifindex(dp.HOST), dp.ifindex(dp.PEER, dp.NS)
        os.makedirs(dp.PIN)
        dp.sh("bpftool", "prog", "loadall", f"{args.build}/empty.bpf.o", f"{dp.PIN}/empty")
        cap = max(1024, int(2 * args.flows * 1.25))
        for i, (name, obj) in enumerate(objects):
            dp.sh(f"{args.build}/fgload", obj, f"{dp.PIN}/o{i}", str(cap), f"{host_if}:1", f"{peer_if}:2")
        with tempfile.TemporaryDirectory() as tmp:
            conf = f"{tmp}/flows.cfg"
            dp.trafgen_conf(args.flows, conf)
            for r in range(args.rounds):
                empty, _ = dp.measure(f"{dp.PIN}/empty/{EMPTY[args.hook]}", dp.Hook(args.hook), conf, args.flows)
                line = [f"round {r + 1}: empty {empty:6.1f}"]
                for i, (name, _) in enumerate(objects):
                    ns, _ = dp.measure(f"{dp.PIN}/o{i}/progs/{PROGRAM[args.hook]}", dp.Hook(args.hook),
                                       conf, args.flows)
                    net[name].append(ns - empty)
                    line.append(f"{name} {ns - empty:6.1f}")
                print("  ".join(line), file=sys.stderr, flush=True)
    finally:
        dp.sh("sysctl", "-q", "-w", f"kernel.bpf_stats_enabled={stats_was}", check=False)
        dp.lab_down()

    print(f"\n{PROGRAM[args.hook]} at {args.flows} flows, ns/packet net of the empty program"
          f" (same round), {args.rounds} rounds:")
    base = statistics.median(net[objects[0][0]])
    for name, _ in objects:
        v = net[name]
        m = statistics.median(v)
        print(f"  {name:12} median {m:6.1f}  quartiles {statistics.quantiles(v, n=4)[0]:6.1f}"
              f" .. {statistics.quantiles(v, n=4)[2]:6.1f}  x first {m / base:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
