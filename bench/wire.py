#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""What a flow probe costs the machine per packet, and whether it counts
every packet: flowgate against softflowd and pmacctd (nfprobe) on the same
traffic, each against its own floor measured in the same run.

    bench/wire.py ROOT BUILD [--frames 1000000] [--flows 1000,65536,1000000] [--rounds 3]
                  [--setups none,empty,flowgate,softflowd,pmacctd] [--warmup FRAMES]

The lab is bench/wirelab.py's: trafgen in a namespace sends FRAMES 60-byte
UDP frames (64 on a wire) over N flows round-robin to the host end of a veth
pair, with a destination MAC not the host's, so the host drops them before
routing. Set-ups, rotated over rounds (medians reported):

  none       nothing attached: the floor of the pcap probes
  empty      an empty XDP program (bench/empty.bpf.c): on veth any XDP
             program moves the receiver to NAPI mode, the floor of every
             XDP probe
  flowgate   bin/flowgate run: XDP ingress, IPFIX to nfcapd
  softflowd  softflowd -i HOST, NetFlow v9 to nfcapd
  pmacctd    pmacctd with the nfprobe plugin, IPFIX to nfcapd

Every probe gets a flow table for the run's flows (x 1.25) and a 2 s idle
timeout, so flows are exported while the run is measured. A run: start
nfcapd and the probe, wait until it listens; a warm-up pass of as many frames
as the measured pass (--warmup; the same traffic, so every probe has inserted,
expired and exported each flow once and the JVM has compiled that path, as on
a gateway that has run for a while) and quiet; then the measured window:
trafgen's pass, then a settle period for deferred work (at least 5 s, until
the run's processes use less than 5% of a CPU over a second, at most 60 s).
Then the probe is stopped (it exports what it still holds) and nfcapd.

CPU per million packets delivered, two ways:
  own      the run's processes (a cpuacct cgroup: trafgen, the probe,
           nfcapd; softirq work done in their context included) plus the
           ksoftirqd threads: immune to other work on a shared machine
  machine  /proc/stat, all CPUs: user, system, irq, softirq (what the
           machine spent, other work included: exact on an idle machine only)
Where it goes: with kernel.bpf_stats_enabled=1 (not turned on here: it adds
two clock reads to every program run) the XDP program's own time from
`bpftool prog show` for flowgate and the empty program; and flowgate's JVM
threads over the window (/proc/PID/task), its JIT compiler threads apart
(compilation the warm-up pass did not finish).
Accuracy: packets at nfcapd (nfdump -I) over packets the host veth delivered
(rx counter) in the whole run, warm-up included; nfcapd's socket drops
(/proc/net/udp) are shown apart, and flowgate's own count of records its send
queue dropped (/api/v1/status).
"""
import argparse
import os
import signal
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wirelab as w  # noqa: E402

SETUPS = ["none", "empty", "flowgate", "softflowd", "pmacctd"]
IDLE_S = 2
SETTLE_MIN_S, SETTLE_MAX_S, SETTLE_QUIET = 5, 60, 0.05


def wait_capturing(p, timeout=60):
    """until p's pcap socket is bound to the host veth (/proc/net/packet)"""
    idx = int(open(f"/sys/class/net/{w.HOST}/ifindex").read())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if p.poll() is not None:
            raise RuntimeError(f"{p.args[0]} exited: {open(p.log).read()[-1000:]}")
        for line in open("/proc/net/packet").readlines()[1:]:
            if int(line.split()[4]) == idx:
                time.sleep(1)  # pmacctd: the plugin starts after the core opened pcap
                return
        time.sleep(0.2)
    raise RuntimeError(f"{p.args[0]} did not open {w.HOST} in {timeout} s")


class Probe:
    """one set-up: start() before the measured window, finish() after"""

    def __init__(self, lab, setup, root, build, collector, flows):
        self.lab, self.setup, self.extra, self.p, self.fg = lab, setup, {}, None, None
        table = max(1024, int(flows * 1.25))
        port = collector.port
        if setup == "empty":
            pin = f"{w.PIN}/empty"
            w.sh("rm", "-rf", pin)
            w.sh("bpftool", "prog", "loadall", f"{build}/empty.bpf.o", pin)
            w.sh("bpftool", "net", "attach", "xdpdrv", "pinned", f"{pin}/empty_xdp", "dev", w.HOST)
        elif setup == "flowgate":
            # max-flows is a total; each CPU's slice holds min(max-flows, 2 x max-flows / CPUs)
            # (FlowTable.flowsPerCpu), and trafgen sends from one CPU: give that slice the table
            self.fg = w.Flowgate(lab, root, port, max(table, -(-table * os.cpu_count() // 2)),
                                 idle=f"{IDLE_S}s")
        elif setup == "softflowd":
            self.p = lab.start("softflowd", [
                "softflowd", "-d", "-i", w.HOST, "-n", f"127.0.0.1:{port}", "-v", "9",
                "-m", str(table), "-t", f"udp={IDLE_S}", "-t", "expint=1",
                "-p", f"{lab.tmp}/softflowd.pid", "-c", f"{lab.tmp}/softflowd.ctl"])
            wait_capturing(self.p)
        elif setup == "pmacctd":
            conf = f"{lab.tmp}/pmacctd.conf"
            with open(conf, "w") as f:
                f.write(f"daemonize: false\npcap_interface: {w.HOST}\nplugins: nfprobe\n"
                        f"nfprobe_receiver: 127.0.0.1:{port}\nnfprobe_version: 10\n"
                        f"nfprobe_timeouts: udp={IDLE_S}:expint=1\nnfprobe_maxflows: {table}\n")
            self.p = lab.start("pmacctd", ["pmacctd", "-f", conf])
            wait_capturing(self.p)

    def observe(self):
        """flowgate's own view at the end of the window"""
        if self.fg:
            s = self.fg.status()
            m = self.fg.metrics()
            e = s["exporters"][0]
            a = [t for t in s["accounting"] if t["direction"] == "ingress"][0]
            self.extra = {"kernel": a["kernel"]["packets"], "exported": a["exported"]["packets"],
                          "unaccounted": a["unaccounted"]["packets"],
                          "queue_dropped_records": e["recordsDropped"],
                          "spilled": w.metric_sum(m, "flowgate_dataplane_errors_total", reason="flow_spilled"),
                          "insert_failed": w.metric_sum(m, "flowgate_dataplane_errors_total",
                                                        reason="flow_insert_failed")}

    def finish(self):
        if self.setup == "empty":
            w.sh("bpftool", "net", "detach", "xdpdrv", "dev", w.HOST, check=False)
            w.sh("rm", "-rf", f"{w.PIN}/empty", check=False)
        elif self.fg:
            self.fg.stop()
        elif self.p:
            w.stop(self.p, signal.SIGTERM, 60)
            self.lab.forget(self.p)


def settle(cpu):
    """waits until the run's processes are quiet (deferred work done);
    returns the seconds waited"""
    t0 = time.monotonic()
    last = cpu.snap()
    while True:
        time.sleep(1)
        now = cpu.snap()
        busy = (now["own"] + now["ksoftirqd"] - last["own"] - last["ksoftirqd"]) / (now["t"] - last["t"])
        last = now
        waited = now["t"] - t0
        if waited >= SETTLE_MAX_S or (waited >= SETTLE_MIN_S and busy < SETTLE_QUIET):
            return waited


def run_one(lab, setup, flows, conf, frames, root, build, warmup):
    col = w.Collector(lab)
    probe = Probe(lab, setup, root, build, col, flows)
    rx_start = w.host_rx()
    try:
        cpu = w.CpuMeter()
        # a warm-up pass (the JVM's JIT, the probes' tables and buffers), then quiet
        w.run_sender(lab, w.trafgen_cmd(conf, warmup), 60 + warmup // 2000)
        settle(cpu)
        rx0, (tx0, _) = w.host_rx(), w.peer_tx()
        xdp0, jvm0 = w.xdp_run_ns(w.HOST), probe.fg.thread_cpu() if probe.fg else None
        a = cpu.snap()
        t = time.monotonic()
        w.run_sender(lab, w.trafgen_cmd(conf, frames), 60 + frames // 2000)
        send_s = time.monotonic() - t
        settle_s = settle(cpu)
        b = cpu.snap()
        rx1, (tx1, _) = w.host_rx(), w.peer_tx()
        xdp1, jvm1 = w.xdp_run_ns(w.HOST), probe.fg.thread_cpu() if probe.fg else None
        probe.observe()
    finally:
        probe.finish()
    got_flows, got_packets, drops = col.finish()
    d = w.CpuMeter.delta(a, b)
    delivered = rx1 - rx0
    delivered_all = rx1 - rx_start
    mpk = delivered / 1e6
    r = {"setup": setup, "flows": flows, "sent": tx1 - tx0, "delivered": delivered,
         "pps": (tx1 - tx0) / send_s, "settle_s": settle_s,
         "own": d["own"] / mpk, "machine": d["machine"] / mpk,
         "user": d["user"] / mpk, "system": d["system"] / mpk, "irq": d["irq"] / mpk,
         "softirq": d["softirq"] / mpk, "collector_flows": got_flows,
         "collector_packets": got_packets, "collector_drops": drops,
         "accuracy": got_packets / delivered_all if setup not in ("none", "empty") else None}
    if xdp0 and xdp1 and xdp1[0] > xdp0[0]:
        # the XDP program's own time (bpf_stats): s per million packets and ns per run
        r["xdp"] = (xdp1[1] - xdp0[1]) / 1e9 / mpk
        r["xdp_ns"] = (xdp1[1] - xdp0[1]) / (xdp1[0] - xdp0[0])
    if jvm0 and jvm1:
        # flowgate's JVM in the window: JIT compiler threads apart from the rest
        r["jit"] = (jvm1[0] - jvm0[0]) / mpk
        r["jvm"] = (jvm1[1] - jvm0[1]) / mpk
    r.update(probe.extra)
    print(f"  {setup:<9} flows {flows:>8}: {r['pps']:9.0f} pps, own {r['own']:6.2f} s/Mpkt, machine"
          f" {r['machine']:6.2f}, delivered {delivered} (run {delivered_all}), at nfcapd {got_packets} pkts {got_flows} flows"
          f" (socket drops {drops}), settle {settle_s:.0f} s{breakdown(r)} {probe.extra or ''}",
          file=sys.stderr, flush=True)
    return r


def breakdown(r):
    """the XDP program's time and flowgate's JVM threads, when measured"""
    got = ""
    if "xdp" in r:
        got += f", xdp {r['xdp']:.2f} s/Mpkt ({r['xdp_ns']:.0f} ns/run)"
    if "jvm" in r:
        got += f", flowgate JVM {r['jvm']:.2f} + JIT {r['jit']:.2f} s/Mpkt"
    return got


def med(rows, key):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def report(results, flows_list, rounds, frames):
    print(f"\nflowgate wire cost: {frames} frames of 64 B per run, medians of {rounds} rotated rounds;"
          f" CPU in CPU-seconds per million packets delivered\n(own: the run's processes + ksoftirqd;"
          f" machine: /proc/stat user+system+irq+softirq, all CPUs); accuracy: packets at nfcapd /"
          f" delivered, lowest round")
    print(f"{'flows':>8} {'set-up':<10} {'pps':>8} {'own':>6} {'machine':>7} {'user':>6} {'sys':>6} {'irq':>5}"
          f" {'sirq':>5} {'accuracy':>9} {'nfcapd drops':>12} {'fg queue drops':>14}")
    for flows in flows_list:
        for s in SETUPS:
            rows = [r for r in results if r["flows"] == flows and r["setup"] == s]
            if not rows:
                continue
            acc = [r["accuracy"] for r in rows if r["accuracy"] is not None]
            qd = max((r.get("queue_dropped_records", 0) for r in rows), default=0)
            print(f"{flows:>8} {s:<10} {med(rows, 'pps'):8.0f} {med(rows, 'own'):6.2f} {med(rows, 'machine'):7.2f}"
                  f" {med(rows, 'user'):6.2f} {med(rows, 'system'):6.2f} {med(rows, 'irq'):5.2f}"
                  f" {med(rows, 'softirq'):5.2f} {(f'{100 * min(acc):8.3f}%' if acc else '        -'):>9}"
                  f" {max(r['collector_drops'] for r in rows):>12} {(qd if s == 'flowgate' else '-'):>14}")
    bd = [(f, s) for f in flows_list for s in ("empty", "flowgate")
          if any("xdp" in r or "jvm" in r for r in results if r["flows"] == f and r["setup"] == s)]
    if bd:
        print("\nwhere the CPU goes (medians, s per million packets): the XDP program's own time"
              " (bpf_stats, when kernel.bpf_stats_enabled=1), flowgate's JVM threads in the window"
              " apart from its JIT compiler threads")
        print(f"{'flows':>8} {'set-up':<10} {'xdp':>6} {'ns/run':>7} {'JVM':>6} {'JIT':>6}")
        for f, s in bd:
            rows = [r for r in results if r["flows"] == f and r["setup"] == s]
            fmt = lambda k, spec: format(med(rows, k), spec) if med(rows, k) is not None else "-"
            print(f"{f:>8} {s:<10} {fmt('xdp', '6.2f'):>6} {fmt('xdp_ns', '7.0f'):>7}"
                  f" {fmt('jvm', '6.2f'):>6} {fmt('jit', '6.2f'):>6}")
    print("\nratios (medians): flowgate above the empty XDP program / each peer above nothing attached;"
          " goal <= 0.2x, sender rate >= 0.95x the empty program's, accuracy 100%")
    print(f"{'flows':>8} {'basis':<8} {'fg-empty':>8} {'sf-none':>8} {'pm-none':>8} {'x sf':>6} {'x pm':>6}"
          f" {'rate fg/empty':>13} {'fg accuracy':>11}  goal")
    verdicts = []
    for flows in flows_list:
        by = {s: [r for r in results if r["flows"] == flows and r["setup"] == s] for s in SETUPS}
        if not all(by.values()):
            continue
        acc = min(r["accuracy"] for r in by["flowgate"])
        rate = med(by["flowgate"], "pps") / med(by["empty"], "pps")
        for basis in ("own", "machine"):
            fg = med(by["flowgate"], basis) - med(by["empty"], basis)
            sf = med(by["softflowd"], basis) - med(by["none"], basis)
            pm = med(by["pmacctd"], basis) - med(by["none"], basis)
            # a negative difference is noise (other work of a shared machine), not a pass
            ok = 0 <= fg and 0 < sf and 0 < pm and fg <= 0.2 * sf and fg <= 0.2 * pm \
                and rate >= 0.95 and acc == 1.0
            if basis == "own":
                verdicts.append(ok)
            print(f"{flows:>8} {basis:<8} {fg:8.2f} {sf:8.2f} {pm:8.2f} {fg / sf:6.2f} {fg / pm:6.2f}"
                  f" {rate:13.2f} {100 * acc:10.3f}%  {'MET' if ok else 'noise' if fg < 0 else 'not met'}")
    load = open("/proc/loadavg").read().split()[:3]
    print(f"load average at the end: {load} on {os.cpu_count()} CPUs (the machine basis counts every"
          f" process of the machine: meaningful on an idle machine only)")
    return verdicts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root", help="the source tree (bin/flowgate)")
    ap.add_argument("build", help="bench/build (empty.bpf.o)")
    ap.add_argument("--frames", type=int, default=1_000_000)
    ap.add_argument("--flows", default="1000,65536,1000000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--setups", default=",".join(SETUPS))
    ap.add_argument("--warmup", type=int, default=None, help="frames of the warm-up pass (default: --frames)")
    args = ap.parse_args()
    if args.warmup is None:
        args.warmup = args.frames
    flows_list = [int(x) for x in args.flows.split(",")]
    setups = [s for s in SETUPS if s in args.setups.split(",")]
    results = []
    with w.Lab() as lab:
        confs = {}
        for flows in flows_list:
            confs[flows] = f"{lab.tmp}/flows-{flows}.cfg"
            w.trafgen_conf(confs[flows], flows)
        for rnd in range(args.rounds):
            order = setups[rnd % len(setups):] + setups[:rnd % len(setups)]
            print(f"round {rnd + 1}/{args.rounds}: {' '.join(order)}", file=sys.stderr, flush=True)
            for flows in flows_list:
                for s in order:
                    results.append(run_one(lab, s, flows, confs[flows], args.frames, args.root, args.build,
                                           args.warmup))
    report(results, flows_list, args.rounds, args.frames)
    return 0


if __name__ == "__main__":
    sys.exit(main())
