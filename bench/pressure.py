#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Flow-table pressure: flowgate under floods of new flows, everything counted.

    bench/pressure.py ROOT [--seconds 30] [--scenarios flood,over,million]

The lab is bench/wirelab.py's (trafgen in a namespace, flowgate's XDP
program on the host veth, IPFIX to nfcapd on loopback). trafgen sends as fast
as it can for SECONDS; flowgate runs with its defaults (sweep 1s, idle 15s,
active 60s) except flows.max-flows:

  flood    every packet a new flow (source address over 2^24 values, the
           destination port over 65521: no 5-tuple repeats), max-flows at
           its default (262144; a total since max-flows became one: each CPU's
           slice holds twice its even share, so on two CPUs each slice holds it all)
  over     the same flood into a table too small for one interval's flows
           (max-flows 16384): past the capacity, the losses must be counted
  million  1,000,000 flows round-robin, max-flows 1048576: up to the
           configured capacity, no insert may fail

After the flood and two sweeps, from /api/v1/status and /metrics: the
accounting terms (kernel = exported + in cache + unaccounted, checked), insert
failures and spilled flows (flowgate_dataplane_errors_total), the peak interval
flow map fill, sweep time (flowgate_sweep_duration_seconds), flows in the
cache, records the exporter's queue dropped, RSS (sampled each second, and the
peak VmHWM); then flowgate is stopped (it exports what it holds) and nfcapd's
count is compared with what flowgate exported.
"""
import argparse
import os
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wirelab as w  # noqa: E402

SCENARIOS = {
    # name: (max-flows, flows, destination port cycle)
    "flood": (262144, 1 << 24, 65521),
    "over": (16384, 1 << 24, 65521),
    "million": (1048576, 1_000_000, 0),
}


def sweep_hist(m):
    """(sweeps, mean seconds, upper bound of the slowest sweep) of the histogram"""
    count = w.metric_sum(m, "flowgate_sweep_duration_seconds_count")
    total = w.metric_sum(m, "flowgate_sweep_duration_seconds_sum")
    bound = None
    for (n, ls), v in sorted(((k, v) for k, v in m.items() if k[0] == "flowgate_sweep_duration_seconds_bucket"),
                             key=lambda kv: float(kv[0][1].split('"')[1].replace("+Inf", "inf"))):
        if v >= count:
            bound = ls.split('"')[1]
            break
    return int(count), (total / count if count else 0.0), bound


def run(lab, root, name, seconds):
    max_flows, flows, dport_cycle = SCENARIOS[name]
    conf = f"{lab.tmp}/{name}.cfg"
    w.trafgen_conf(conf, flows, dport_cycle)
    col = w.Collector(lab, f"nfcapd-{name}")
    t = time.monotonic()
    fg = w.Flowgate(lab, root, col.port, max_flows, idle="15s", name=f"flowgate-{name}")
    ready_s = time.monotonic() - t
    rss_idle = fg.rss()[0]
    peak = {"entries": 0, "cached": 0, "rss": rss_idle}
    done = threading.Event()

    def sample():
        while not done.wait(1):
            try:
                m = fg.metrics()
                peak["entries"] = max(peak["entries"], w.metric_sum(m, "flowgate_flow_map_interval_entries"))
                peak["cached"] = max(peak["cached"], w.metric_sum(m, "flowgate_flows_active"))
                peak["rss"] = max(peak["rss"], fg.rss()[0])
            except (OSError, ValueError):
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    m0 = fg.metrics()
    tx0 = w.peer_tx()[0]
    sampler.start()
    t = time.monotonic()
    w.run_sender(lab, w.trafgen_cmd(conf), seconds)
    send_s = time.monotonic() - t
    sent = w.peer_tx()[0] - tx0
    time.sleep(3)  # two sweeps: the last packets drained
    done.set()
    sampler.join()
    s = fg.status()
    m = fg.metrics()
    rss, hwm = fg.rss()
    a = [x for x in s["accounting"] if x["direction"] == "ingress"][0]
    pk = {k: a[k]["packets"] for k in ("kernel", "exported", "inCache", "unaccounted")}
    sweeps, sweep_mean, sweep_max = sweep_hist(m)
    r = {"scenario": name, "max_flows": max_flows, "capacity": s["flowMap"]["capacity"],
         "ready_s": ready_s, "seconds": send_s, "sent": sent, "pps": sent / send_s, **pk,
         "balanced": pk["kernel"] == pk["exported"] + pk["inCache"] + pk["unaccounted"],
         "insert_failed": w.metric_sum(m, "flowgate_dataplane_errors_total", reason="flow_insert_failed")
         - w.metric_sum(m0, "flowgate_dataplane_errors_total", reason="flow_insert_failed"),
         "spilled": w.metric_sum(m, "flowgate_dataplane_errors_total", reason="flow_spilled")
         - w.metric_sum(m0, "flowgate_dataplane_errors_total", reason="flow_spilled"),
         "peak_entries": peak["entries"], "peak_cached": peak["cached"],
         "sweeps": sweeps, "sweep_mean_ms": 1000 * sweep_mean, "sweep_max_le": sweep_max,
         "rss_idle_mb": rss_idle / 1024, "rss_peak_mb": max(peak["rss"], rss) / 1024, "hwm_mb": hwm / 1024}
    # then every flow idles out (15 s): what the exporter sent, dropped at its queue, and nfcapd got
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        s = fg.status()
        if s["accounting"][0]["inCache"]["packets"] == 0 and s["accounting"][1]["inCache"]["packets"] == 0:
            break
        time.sleep(1)
    time.sleep(2)  # the send queue empties
    s, m = fg.status(), fg.metrics()
    a = [x for x in s["accounting"] if x["direction"] == "ingress"][0]
    r.update(drained_exported=a["exported"]["packets"], drained_in_cache=a["inCache"]["packets"],
             records_exported=w.metric_sum(m, "flowgate_export_records_total"),
             records_sent=s["exporters"][0]["recordsSent"],
             queue_dropped_records=s["exporters"][0]["recordsDropped"],
             send_errors=s["exporters"][0]["sendErrors"])
    print(f"  {name}: {r}", file=sys.stderr, flush=True)
    fg.stop()
    got_flows, got_packets, drops = col.finish()
    r.update(collector_flows=got_flows, collector_packets=got_packets, collector_drops=drops)
    return r


def report(rows):
    print("\nflowgate flow-table pressure (trafgen as fast as it goes; counts in packets; kernel = exported"
          " + in cache + unaccounted at the end of the flood, after two sweeps)")
    print(f"{'scenario':<8} {'max-flows':>9} {'map cap':>8} {'s':>4} {'pps':>7} {'kernel':>9} {'exported':>9}"
          f" {'in cache':>8} {'unacc':>8} {'balance':>7} {'ins.fail':>8} {'spilled':>8} {'peak map':>8}"
          f" {'peak cache':>10} {'sweep ms':>8} {'max <=s':>7} {'RSS idle':>8} {'RSS peak':>8}")
    for r in rows:
        print(f"{r['scenario']:<8} {r['max_flows']:>9} {r['capacity']:>8} {r['seconds']:4.0f} {r['pps']:7.0f}"
              f" {r['kernel']:>9} {r['exported']:>9} {r['inCache']:>8} {r['unaccounted']:>8}"
              f" {'exact' if r['balanced'] else 'OFF':>7} {r['insert_failed']:8.0f} {r['spilled']:8.0f}"
              f" {r['peak_entries']:8.0f} {r['peak_cached']:10.0f} {r['sweep_mean_ms']:8.1f} {r['sweep_max_le']:>7}"
              f" {r['rss_idle_mb']:7.0f}M {r['rss_peak_mb']:7.0f}M")
    print("\nafter the flood, once every flow idled out (15 s): packets exported (in cache left), flow records"
          " handed to the sinks, sent to nfcapd, dropped at the send queue (counted: flowgate_exporter_queue_"
          "dropped_records_total), received by nfcapd (nfdump -I), nfcapd socket drops (/proc/net/udp)")
    for r in rows:
        print(f"{r['scenario']:<8} exported {r['drained_exported']} packets ({r['drained_in_cache']} in cache),"
              f" records {r['records_exported']:.0f}, sent {r['records_sent']}, queue-dropped"
              f" {r['queue_dropped_records']}, at nfcapd {r['collector_flows']} records /"
              f" {r['collector_packets']} packets, socket drops {r['collector_drops']}")
    print("\nchecks:")
    for r in rows:
        # trafgen sends from one CPU; its slice holds 2 x max-flows / CPUs (FlowTable.flowsPerCpu)
        cpus = os.cpu_count()
        slice_flows = min(r["max_flows"], -(-2 * r["max_flows"] // cpus))
        under = r["peak_entries"] <= slice_flows
        if under:
            verdict = "OK" if r["insert_failed"] == 0 else "FAILED: insert failures within the capacity"
        else:
            verdict = "OK: counted" if r["balanced"] else "FAILED: not counted"
        print(f"  {r['scenario']}: peak interval fill {r['peak_entries']:.0f}"
              f" {'<=' if under else '>'} one CPU's slice {slice_flows} (max-flows {r['max_flows']}); insert failures"
              f" {r['insert_failed']:.0f}, unaccounted {r['unaccounted']} packets; accounting"
              f" {'exact' if r['balanced'] else 'NOT balanced'}: {verdict}")
        counted = r["records_exported"] == r["records_sent"] + r["queue_dropped_records"] \
            and r["collector_flows"] + max(r["collector_drops"], 0) >= r["records_sent"]
        print(f"  {r['scenario']}: export records {r['records_exported']:.0f} = sent {r['records_sent']}"
              f" + queue-dropped {r['queue_dropped_records']}, nfcapd {r['collector_flows']}:"
              f" {'every record counted' if counted else 'RECORDS NOT ACCOUNTED FOR'}"
              f"{'' if r['queue_dropped_records'] == 0 else ' (but not all delivered)'}")
    print(f"load average at the end: {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} CPUs")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root", help="the source tree (bin/flowgate)")
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    args = ap.parse_args()
    rows = []
    with w.Lab() as lab:
        for name in args.scenarios.split(","):
            if name not in SCENARIOS:
                raise SystemExit(f"pressure: unknown scenario {name} (one of {', '.join(SCENARIOS)})")
            rows.append(run(lab, args.root, name, args.seconds))
    report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
