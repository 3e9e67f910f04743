#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""What an idle flowgate costs: CPU-seconds per minute of `flowgate run` with
no traffic, per thread (/proc/PID/task/*/stat), with bench-wire's config
(sweep every 1 s, 2 s idle timeout, IPFIX to nfcapd) on the lab's veth.

    bench/idle.py ROOT [--seconds 60] [--max-flows 1250] [--light FLOWS]

--light FLOWS: light traffic instead of none: once a second, one frame of
each of FLOWS UDP flows (the same flows every second) from the namespace end,
so every sweep finds FLOWS changed flows in a table sized for --max-flows.
"""
import argparse
import os
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wirelab as w  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def jvm_pid(pid):
    """bin/flowgate may exec java or run it as a child: the process holding the most threads"""
    best, n = pid, 0
    for p in [pid] + [int(c) for c in open(f"/proc/{pid}/task/{pid}/children").read().split()]:
        k = len(os.listdir(f"/proc/{p}/task"))
        if k > n:
            best, n = p, k
    return best


def threads(pid):
    """{tid: (name, utime + stime in ticks)}"""
    got = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            s = open(f"/proc/{pid}/task/{t}/stat").read()
        except OSError:
            continue
        name = s[s.index("(") + 1:s.rindex(")")]
        f = s[s.rindex(")") + 2:].split()
        got[int(t)] = (name, int(f[11]) + int(f[12]))
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--warmup", type=float, default=20)
    ap.add_argument("--max-flows", type=int, default=1250)
    ap.add_argument("--light", type=int, default=0)
    a = ap.parse_args()
    with w.Lab() as lab:
        col = w.Collector(lab)
        fg = w.Flowgate(lab, a.root, col.port, a.max_flows)
        pid = jvm_pid(fg.p.pid)
        done = threading.Event()
        sender = None
        if a.light:
            conf = f"{lab.tmp}/light.cfg"
            w.trafgen_conf(conf, a.light)

            def light():
                while not done.is_set():
                    t = time.monotonic()
                    w.run_sender(lab, w.trafgen_cmd(conf, count=a.light), 5)
                    done.wait(max(0.0, 1 - (time.monotonic() - t)))

            sender = threading.Thread(target=light, daemon=True)
            sender.start()
        time.sleep(a.warmup)
        t0, b = time.monotonic(), threads(pid)
        time.sleep(a.seconds)
        t1, e = time.monotonic(), threads(pid)
        done.set()
        if sender:
            sender.join()
        fg.stop()
        col.finish()
    per_min = 60 / (t1 - t0)
    rows = []
    for tid, (name, ticks) in e.items():
        d = ticks - b.get(tid, (name, 0))[1]
        if d:
            rows.append((d / TICK * per_min, name, tid))
    rows.sort(reverse=True)
    total = sum(r[0] for r in rows)
    what = f"{a.light:,} flows a second" if a.light else "idle"
    print(f"{what} flowgate, max-flows {a.max_flows:,}, {t1 - t0:.0f} s: {total:.3f} CPU-s per minute ({total / 60 * 100:.2f}% of a CPU)")
    for cpu, name, tid in rows:
        print(f"  {cpu:7.3f}  {name} ({tid})")


if __name__ == "__main__":
    main()
