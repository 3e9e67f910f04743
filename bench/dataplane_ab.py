#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""A/B of flowgate objects on real frames: the same lab and traffic as
bench/dataplane.py, one lab for the whole run, the objects measured in turn,
round after round (the order rotated each round), so a noisy neighbour hits
all of them alike.

    bench/dataplane_ab.py BENCH_BUILD_DIR NAME=OBJ[:PROG] [NAME=OBJ[:PROG] ...] [--flows 1] [--rounds 9]
        [--hook xdp] [--new-flows] [--vlan VID]

NAME=OBJ:PROG measures program PROG of an object that is not flowgate's (the
reference counter ref_xdp, bench/min_counter.bpf.o's min_xdp): loaded with
`bpftool prog loadall`, no flow table sizing, no settings.

Each object is loaded once by fgload (flow table sized for 2 x flows x 1.25
per CPU, a settings entry for both veth ends); every round measures the
empty program, then each object's program at the hook, over one measured
pass after a warm-up pass (dataplane.py's measure()). Prints per object the
median and the spread of ns/packet net of the empty program measured in the
same round, and the median of its per-round difference to the first object. Needs root; removes the lab on exit.

--new-flows: every packet of the measured pass is a flow the table has not
seen (the insert path: the FIB lookup of issue 19): each pass (warm-up and
measured, per object and round) sends one packet to each of --flows sources
of a range no other pass used, so the tables are sized for all of them. The
host end gets forwarding on and a blackhole route for the destination, so the
FIB lookup walks the routing table as on a router and nothing is forwarded.

--vlan VID: the frames carry an 802.1Q tag with VID; each object that has a
map fg_vlan_devs gets the entry (host end, VID) -> host end, so a new flow's
insert pays the VLAN-device lookup (a hit) and then the same FIB lookup.
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


def measure_new(prog, hook, warm_conf, conf, flows):
    """like dataplane.measure, each pass one packet to each of its conf's new flows"""
    hook.attach(prog)
    try:
        dp.send(warm_conf, flows, hook.kind == "tc-out")
        t0, c0 = dp.stats(prog)
        dp.send(conf, flows, hook.kind == "tc-out")
        t1, c1 = dp.stats(prog)
    finally:
        hook.detach()
    if c1 == c0:
        raise RuntimeError(f"{prog}: no run counted")
    return (t1 - t0) / (c1 - c0), c1 - c0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("objects", nargs="+", help="NAME=OBJ")
    ap.add_argument("--flows", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--hook", choices=sorted(PROGRAM), default="xdp")
    ap.add_argument("--new-flows", action="store_true")
    ap.add_argument("--vlan", type=int, default=0)
    args = ap.parse_args()
    objects = [o.split("=", 1) for o in args.objects]
    foreign = {name: obj.split(":", 1)[1] for name, obj in objects if ":" in obj}
    objects = [(name, obj.split(":", 1)[0]) for name, obj in objects]

    stats_was = open("/proc/sys/kernel/bpf_stats_enabled").read().strip()
    net = {name: [] for name, _ in objects}
    try:
        dp.lab_up()
        dp.sh("sysctl", "-q", "-w", "kernel.bpf_stats_enabled=1")
        host_if, peer_if = dp.ifindex(dp.HOST), dp.ifindex(dp.PEER, dp.NS)
        os.makedirs(dp.PIN)
        dp.sh("bpftool", "prog", "loadall", f"{args.build}/empty.bpf.o", f"{dp.PIN}/empty")
        cap = max(1024, int(2 * args.flows * 1.25))
        if args.new_flows:
            # every pass of every round inserts --flows new flows into each object's table
            cap = max(1024, int(2 * args.flows * (args.rounds + 1) * 1.25))
            dp.sh("sysctl", "-q", "-w", f"net.ipv4.conf.{dp.HOST}.forwarding=1")
            dp.sh("ip", "route", "add", "blackhole", "10.255.0.1/32")
        for i, (name, obj) in enumerate(objects):
            if name in foreign:
                dp.sh("bpftool", "prog", "loadall", obj, f"{dp.PIN}/o{i}")
                continue
            dp.sh(f"{args.build}/fgload", obj, f"{dp.PIN}/o{i}", str(cap), f"{host_if}:1", f"{peer_if}:2")
            vlan_map = f"{dp.PIN}/o{i}/maps/fg_vlan_devs"
            if args.vlan and os.path.exists(vlan_map):
                le = lambda v, n: [str(b) for b in v.to_bytes(n, "little")]  # noqa: E731
                dp.sh("bpftool", "map", "update", "pinned", vlan_map,
                      "key", *le(host_if, 4), *le(args.vlan, 2), "0", "0",
                      "value", *le(host_if, 4))
        with tempfile.TemporaryDirectory() as tmp:
            conf = f"{tmp}/flows.cfg"
            dp.trafgen_conf(args.flows, conf, vlan=args.vlan)
            fresh = [dp.SRC_BASE]

            def new_range():
                """a conf of --flows sources no earlier pass used"""
                path = f"{tmp}/fresh-{fresh[0]}.cfg"
                dp.trafgen_conf(args.flows, path, fresh[0], vlan=args.vlan)
                fresh[0] += args.flows
                return path

            def run(prog):
                if not args.new_flows:
                    ns, runs, _ = dp.measure(prog, dp.Hook(args.hook), conf, args.flows)
                    return ns, runs
                return measure_new(prog, dp.Hook(args.hook), new_range(), new_range(), args.flows)

            for r in range(args.rounds):
                empty, _ = run(f"{dp.PIN}/empty/{EMPTY[args.hook]}")
                line = [f"round {r + 1}: empty {empty:6.1f}"]
                # rotated: no object always right after the empty program
                order = list(enumerate(objects))
                order = order[r % len(order):] + order[:r % len(order)]
                for i, (name, _) in order:
                    prog = (f"{dp.PIN}/o{i}/{foreign[name]}" if name in foreign
                            else f"{dp.PIN}/o{i}/progs/{PROGRAM[args.hook]}")
                    ns, _ = run(prog)
                    net[name].append(ns - empty)
                    line.append(f"{name} {ns - empty:6.1f}")
                print("  ".join(line), file=sys.stderr, flush=True)
    finally:
        dp.sh("sysctl", "-q", "-w", f"kernel.bpf_stats_enabled={stats_was}", check=False)
        if args.new_flows:
            dp.sh("ip", "route", "del", "blackhole", "10.255.0.1/32", check=False)
        dp.lab_down()

    what = f"{args.flows} new flows per pass (one packet each)" if args.new_flows else f"{args.flows} flows"
    if args.vlan:
        what += f", tagged VID {args.vlan}"
    print(f"\n{PROGRAM[args.hook]} at {what}, ns/packet net of the empty program"
          f" (same round), {args.rounds} rounds:")
    base = statistics.median(net[objects[0][0]])
    first = net[objects[0][0]]
    for name, _ in objects:
        v = net[name]
        m = statistics.median(v)
        if len(v) < 2:
            print(f"  {name:12} {m:6.1f}  x first {m / base:5.2f}")
            continue
        print(f"  {name:12} median {m:6.1f}  quartiles {statistics.quantiles(v, n=4)[0]:6.1f}"
              f" .. {statistics.quantiles(v, n=4)[2]:6.1f}  x first {m / base:5.2f}"
              f"  paired - first {statistics.median(a - b for a, b in zip(v, first)):+7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
