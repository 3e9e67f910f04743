#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Per-packet cost of flowgate's programs against an empty program and a
reference counter, measured the same way in the same run (LAB.md).

    bench/dataplane.py FLOWGATE_OBJ BENCH_BUILD_DIR [--flows 1,10000,...] [--headroom 1.25]

A namespace wired to the host by a veth pair; trafgen sends UDP frames from
inside over N flows round-robin (source address dinc), a warm-up pass first,
then the measured pass. Each program is attached alone (XDP native or TC on
the host end for ingress, TC egress on the namespace end with trafgen on the
qdisc path for egress) and its cost is the delta of run_time_ns / run_cnt
(kernel.bpf_stats_enabled=1) over the measured pass. Net = program - empty
program at the same hook. Restores bpf_stats_enabled and removes the lab and
its pins on exit, failure included.

Counts are checked too, and a mismatch makes the exit status 1: flowgate's
flow table (slots + spill + insert failures) against its totals, and its
totals per direction against what the interfaces counted while flowgate's
programs were attached (rx packets of the host end for fg_xdp and
fg_tc_ingress, tx packets of the namespace end for fg_tc_egress, from
`ip -s -j link`).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

PID = os.getpid()
NS = f"fg-{PID}-bench"
HOST, PEER = f"fg{PID}h", f"fg{PID}n"
PIN = f"/sys/fs/bpf/fg-{PID}-bench"
NSENTER = ["nsenter", f"--net=/run/netns/{NS}"]
SRC_BASE = 10 << 24  # 10.0.0.0: flow i has source 10.0.0.0 + i
FRAME_PAYLOAD = 18   # 14 + 20 + 8 + 18 = 60-byte frames


def sh(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r.stdout


def ifindex(dev, ns=None):
    pre = ["ip", "-n", ns] if ns else ["ip"]
    return json.loads(sh(*pre, "-j", "link", "show", dev))[0]["ifindex"]


def lab_up():
    sh("ip", "netns", "add", NS)
    sh("ip", "link", "add", HOST, "type", "veth", "peer", "name", PEER)
    sh("ip", "link", "set", PEER, "netns", NS)
    sh("sysctl", "-q", "-w", f"net.ipv6.conf.{HOST}.disable_ipv6=1")
    sh(*NSENTER, "sysctl", "-q", "-w", f"net.ipv6.conf.{PEER}.disable_ipv6=1")
    sh("ip", "link", "set", HOST, "up")
    sh("ip", "-n", NS, "link", "set", PEER, "up")


def lab_down():
    sh("ip", "link", "del", HOST, check=False)
    sh("ip", "netns", "del", NS, check=False)
    sh("rm", "-rf", PIN, check=False)


def trafgen_conf(flows, path, base=SRC_BASE, vlan=0):
    """flows UDP flows from base on; an 802.1Q tag with VID vlan unless 0"""
    lo, hi = base, base + flows - 1
    sa = f"sa=10.0.0.0, sa[0:4]=dinc({lo}, {hi})" if flows > 1 else "sa=10.0.0.0"
    tag = f"  vlan(1q, id={vlan}),\n" if vlan else ""
    with open(path, "w") as f:
        f.write("{\n  eth(da=02:00:00:00:00:02, sa=02:00:00:00:00:01),\n"
                + tag +
                f"  ipv4({sa}, da=10.255.0.1, ttl=64),\n"
                "  udp(sp=1000, dp=2000),\n"
                f"  fill(0x41, {FRAME_PAYLOAD})\n}}\n")


def send(conf, count, qdisc_path=False):
    # --rate puts trafgen in sendto() mode: its TX_RING mode builds skbs whose
    # linear part is only the Ethernet header (the rest stays in ring pages),
    # so TC programs would measure a bpf_skb_pull_data() per packet, which a
    # NIC's receive path does not cause
    cmd = NSENTER + ["trafgen", "--dev", PEER, "--conf", conf, "--cpus", "1", "-n", str(count),
                     "--no-sock-mem", "--notouch-irq", "--no-cpu-stats", "--rate", "5000000pps"]
    if qdisc_path:
        cmd.append("--qdisc-path")
    sh(*cmd)


def link_packets(dev, ns=None):
    """the interface's own counters: rx and tx packets, rx and tx drops"""
    pre = ["ip", "-n", ns] if ns else ["ip"]
    st = json.loads(sh(*pre, "-s", "-j", "link", "show", dev))[0]["stats64"]
    return {"rx": st["rx"]["packets"], "tx": st["tx"]["packets"],
            "rx_dropped": st["rx"]["dropped"], "tx_dropped": st["tx"]["dropped"]}


def stats(prog_pin):
    info = json.loads(sh("bpftool", "prog", "show", "pinned", prog_pin, "-j"))
    return info.get("run_time_ns", 0), info.get("run_cnt", 0)


class Hook:
    """attaches one pinned program where a run needs it"""

    def __init__(self, kind):
        self.kind = kind  # xdp | tc-in | tc-out

    def attach(self, prog):
        if self.kind == "xdp":
            sh("bpftool", "net", "attach", "xdpdrv", "pinned", prog, "dev", HOST)
        elif self.kind == "tc-in":
            sh("tc", "qdisc", "add", "dev", HOST, "clsact")
            sh("tc", "filter", "add", "dev", HOST, "ingress", "bpf", "direct-action", "pinned", prog)
        else:
            sh(*NSENTER, "tc", "qdisc", "add", "dev", PEER, "clsact")
            sh(*NSENTER, "tc", "filter", "add", "dev", PEER, "egress", "bpf", "direct-action", "pinned", prog)

    def detach(self):
        if self.kind == "xdp":
            sh("bpftool", "net", "detach", "xdpdrv", "dev", HOST, check=False)
        elif self.kind == "tc-in":
            sh("tc", "qdisc", "del", "dev", HOST, "clsact", check=False)
        else:
            sh(*NSENTER, "tc", "qdisc", "del", "dev", PEER, "clsact", check=False)


def passes(flows):
    """packets of the warm-up and of the measured pass"""
    return max(flows, 200_000 // flows * flows), max(2 * flows, 1_000_000 // flows * flows)


def hook_link(hook):
    """the interface and counter that see every packet a hook's program runs on"""
    return (PEER, NS, "tx") if hook.kind == "tc-out" else (HOST, None, "rx")


def measure(prog, hook, conf, flows):
    """ns/packet of prog over one measured pass, after a warm-up pass; and the
    interface's counters over the whole time prog was attached (before minus after)"""
    warm, count = passes(flows)
    dev, ns, _ = hook_link(hook)
    before = link_packets(dev, ns)
    hook.attach(prog)
    try:
        send(conf, warm, hook.kind == "tc-out")
        t0, c0 = stats(prog)
        send(conf, count, hook.kind == "tc-out")
        t1, c1 = stats(prog)
    finally:
        hook.detach()
    after = link_packets(dev, ns)
    if c1 == c0:
        raise RuntimeError(f"{prog}: no run counted")
    return (t1 - t0) / (c1 - c0), c1 - c0, {k: after[k] - before[k] for k in after}


def totals_check(build, fg, link):
    """flowgate's exact count of the run: packets in the flow table (fgload
    count: used slots, spill entries) + insert failures = IP packets in the
    totals; and the totals per direction (IP and other packets) = what the
    interfaces counted while flowgate's programs were attached (link:
    {"ingress": host rx packets, "egress": namespace end tx packets})"""
    got = json.loads(sh(f"{build}/fgload", "count", fg))
    got.update(packets=0, insert_failed=0, ingress=0, egress=0)
    for e in json.loads(sh("bpftool", "map", "dump", "pinned", f"{fg}/maps/fg_totals", "-j")):
        direction = "egress" if e["formatted"]["key"] % 2 else "ingress"  # slot * FG_DIR_MAX + dir
        for v in e["formatted"]["values"]:
            got["packets"] += v["value"]["packets"]
            got["insert_failed"] += v["value"]["insert_failed"]
            got[direction] += v["value"]["packets"] + v["value"]["other_packets"]
    got["exact"] = got["table_packets"] + got["spill_packets"] + got["insert_failed"] == got["packets"]
    got["link"] = link
    got["link_exact"] = got["ingress"] == link["ingress"] and got["egress"] == link["egress"]
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("obj")
    ap.add_argument("build")
    ap.add_argument("--flows", default="1,10000,100000,1000000")
    ap.add_argument("--programs", default="",
                    help="comma-separated subset of the runs (default: all); the table needs all")
    ap.add_argument("--headroom", type=float, default=1.25,
                    help="flows per CPU the flow table is sized for = 2 * flows * headroom (at least 1024;"
                         " fgload rounds up to a power of two)")
    args = ap.parse_args()
    flows_list = [int(x) for x in args.flows.split(",")]

    stats_was = open("/proc/sys/kernel/bpf_stats_enabled").read().strip()
    rows = []
    try:
        lab_up()
        sh("sysctl", "-q", "-w", "kernel.bpf_stats_enabled=1")
        host_if, peer_if = ifindex(HOST), ifindex(PEER, NS)
        os.makedirs(PIN)
        sh("bpftool", "prog", "loadall", f"{args.build}/empty.bpf.o", f"{PIN}/empty")
        with tempfile.TemporaryDirectory() as tmp:
            for flows in flows_list:
                conf = f"{tmp}/flows-{flows}.cfg"
                trafgen_conf(flows, conf)
                ref, fg = f"{PIN}/ref-{flows}", f"{PIN}/fg-{flows}"
                sh("bpftool", "prog", "loadall", f"{args.build}/ref_counter.bpf.o", ref)
                # flows per CPU the table is sized for; fgload (FlowTable.configure)
                # gives each CPU the next power of two >= cap slots per half
                # trafgen sends from one CPU, and each flow is two keys there (ingress at
                # the host end, egress at the namespace end): size that CPU's slice for both
                cap = max(1024, int(2 * flows * args.headroom))
                bits = max(10, (cap - 1).bit_length())
                load = [f"{args.build}/fgload", args.obj, fg, str(cap),
                        f"{host_if}:1", f"{peer_if}:2"]
                sh(*load)
                r = {"flows": flows, "cap": cap, "slots": 1 << bits}
                link = {"ingress": 0, "egress": 0}  # the interfaces' count while fg's programs ran
                runs = [
                        ("empty_xdp", f"{PIN}/empty/empty_xdp", "xdp"),
                        ("ref_xdp", f"{ref}/ref_xdp", "xdp"),
                        ("fg_xdp", f"{fg}/progs/fg_xdp", "xdp"),
                        ("empty_tc_in", f"{PIN}/empty/empty_tc", "tc-in"),
                        ("ref_tc_in", f"{ref}/ref_tc", "tc-in"),
                        ("fg_tc_ingress", f"{fg}/progs/fg_tc_ingress", "tc-in"),
                        ("empty_tc_out", f"{PIN}/empty/empty_tc", "tc-out"),
                        ("fg_tc_egress", f"{fg}/progs/fg_tc_egress", "tc-out")]
                for name, prog, hook in runs:
                    if args.programs and name not in args.programs.split(","):
                        continue
                    r[name], r[name + "_n"], seen = measure(prog, Hook(hook), conf, flows)
                    counter = hook_link(Hook(hook))[2]
                    print(f"  flows {flows:>8} {name:<14} {r[name]:7.1f} ns  ({r[name + '_n']} runs;"
                          f" interface {counter} {seen[counter]}, drops rx {seen['rx_dropped']}"
                          f" tx {seen['tx_dropped']})", file=sys.stderr, flush=True)
                    if name.startswith("fg_"):
                        link["egress" if hook == "tc-out" else "ingress"] += seen[counter]
                r["fg_totals"] = totals_check(args.build, fg, link)
                rows.append(r)
                sh("rm", "-rf", ref, fg)
    finally:
        sh("sysctl", "-q", "-w", f"kernel.bpf_stats_enabled={stats_was}", check=False)
        lab_down()

    mismatches = [r for r in rows if not (r["fg_totals"]["exact"] and r["fg_totals"]["link_exact"])]
    for r in mismatches:
        print(f"MISMATCH at {r['flows']} flows: {r['fg_totals']}", file=sys.stderr)
    if args.programs:
        return 1 if mismatches else 0
    print(f"\nflowgate dataplane: ns/packet from bpf_stats (run_time_ns / run_cnt); net = minus the empty\n"
          f"program at the same hook; x ref = net / the reference counter's net (XDP: ref at XDP; TC: ref at\n"
          f"TC ingress); flow table: 'slots' slots per CPU; count: table + spill packets + insert_failed\n"
          f"vs the totals' packets, used slots, spilled flows; interfaces: the totals per direction vs\n"
          f"the host end's rx packets (fg_xdp, fg_tc_ingress) and the namespace end's tx packets (fg_tc_egress)\n"
          f"while flowgate's programs were attached")
    print(f"{'flows':>8} {'slots':>8} | {'empty':>5} {'ref net':>7} {'fg_xdp':>6} {'x ref':>5} |"
          f" {'empty':>5} {'ref net':>7} {'tc_in':>6} {'x ref':>5} {'tc_out':>6} {'x ref':>5} | count check | interfaces")
    for r in rows:
        ref = r["ref_xdp"] - r["empty_xdp"]
        xdp = r["fg_xdp"] - r["empty_xdp"]
        ref_tc = r["ref_tc_in"] - r["empty_tc_in"]
        tin = r["fg_tc_ingress"] - r["empty_tc_in"]
        tout = r["fg_tc_egress"] - r["empty_tc_out"]
        c = r["fg_totals"]
        print(f"{r['flows']:>8} {r['slots']:>8} | {r['empty_xdp']:5.0f} {ref:7.0f} {xdp:6.0f} {xdp / ref:5.2f} |"
              f" {r['empty_tc_in']:5.0f} {ref_tc:7.0f} {tin:6.0f} {tin / ref_tc:5.2f} {tout:6.0f} {tout / ref_tc:5.2f} |"
              f" {'exact' if c['exact'] else 'MISMATCH'}: {c['table_packets']} + {c['spill_packets']} spilled"
              f" + {c['insert_failed']} failed {'=' if c['exact'] else '!='} {c['packets']}, used {c['used']}, spilled {c['spilled']}"
              f" | {'exact' if c['link_exact'] else 'MISMATCH'}: in {c['ingress']} {'=' if c['ingress'] == c['link']['ingress'] else '!='}"
              f" {c['link']['ingress']}, out {c['egress']} {'=' if c['egress'] == c['link']['egress'] else '!='} {c['link']['egress']}")
    print(f"load average at the end: {open('/proc/loadavg').read().split()[:3]}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
