#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Detection latency: flowgate's detectors next to FastNetMon's method, same run.

    bench/detect_latency.py [--runs 20] [--threshold 1000] [--seconds 6]

flowgate runs (bin/flowgate, build with `make build`) on the host end of a lab
veth, XDP, sweep-interval 1s, every flood detector at --threshold pps
(critical), hold-down 1s. Per attack type (syn-flood, udp-flood, icmp-flood,
amplification) and run, a fresh target gets a flood at twice the threshold
for --seconds, paced from the namespace (no bursts), starting at a random
phase of the sweep; the sender reports the first packet's time t0.

- flowgate: detectedAt of the alert at that target, from /api/v1/alerts, - t0.
- FastNetMon's method on the same per-second counters: this script reads the
  target's entry of the kernel's per-host counters (fg_hosts, the map the
  detectors read) at t0 + 1 s, t0 + 2 s, ...; each second's speed goes into an
  exponential moving average over 5 s (FastNetMon's average_calculation_time:
  avg = avg * e^(-1/5) + speed * (1 - e^(-1/5))); its latency is the first
  second whose average reaches the same threshold (its own processing delay
  not added).

Then the benign runs: each type at half the threshold, --runs times, and
--runs times 3 s of a busy mix of normal flows (busy_mix); every alert they
raise is a false alert. Prints p50/p95 per type and method, and
the ratio. Needs root; removes its lab on exit.
"""
import argparse
import json
import math
import os
import random
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime

PID = os.getpid()
NS = f"fg-{PID}-det"
HOST, PEER = f"fg{PID}h", f"fg{PID}n"
PIN = f"/sys/fs/bpf/fg-{PID}-det"
NSENTER = ["nsenter", f"--net=/run/netns/{NS}"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPES = ["syn-flood", "udp-flood", "icmp-flood", "amplification"]
# host_counters: packets bytes flows tcp syn udp icmp frag amp amp_bytes (u64 each)
FIELD = {"syn-flood": 4, "udp-flood": 5, "icmp-flood": 6, "amplification": 8}
EMA = math.exp(-1 / 5)
SENT = []  # the counter's mean rate over each flood's whole seconds, as the kernel saw it

SENDER = r"""
import errno, socket, struct, sys, time
ifname, path, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
s.bind((ifname, 0))
data = open(path, 'rb').read()
frames, off = [], 0
while off < len(data):
    (n,) = struct.unpack_from('>I', data, off)
    frames.append(data[off + 4:off + 4 + n])
    off += 4 + n
print('ready', flush=True)
sys.stdin.readline()
t0 = time.monotonic()
for i, f in enumerate(frames):
    due = t0 + i / rate
    now = time.monotonic()
    if due - now > 0.001:
        time.sleep(due - now)
    elif now - due > 0.02:
        t0 = now - i / rate
    while True:
        try:
            s.send(f)
            break
        except OSError as e:
            if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                raise
            time.sleep(0.0005)
    if i == 0:
        print('first %.6f' % time.time(), flush=True)
print('done', flush=True)
"""


def sh(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r.stdout


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


def mac(dev, ns=None):
    pre = ["ip", "-n", ns] if ns else ["ip"]
    return bytes.fromhex(json.loads(sh(*pre, "-j", "link", "show", dev))[0]["address"].replace(":", ""))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def packet(dmac, smac, src, dst, proto, l4):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0, 64, proto, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + l4


def busy_mix(run, dmac, smac):
    """One second of a busy site's normal traffic (about 11,700 frames, shuffled), as
    DetectionEndToEndTest's busy mix: a server taking 400 new connections a second (a SYN, ten
    data packets each); 128 hosts each downloading (a SYN-ACK, 40 data packets of 1,400 bytes),
    resolving (5 DNS replies from port 53), on QUIC (10 datagrams of 1,200 bytes from 443) and
    answered pings (1 echo reply). Every per-host rate is below the bench's thresholds."""
    out = []
    for c in range(400):
        n = run * 400 + c
        src = f"198.18.{n // 250 % 250}.{n % 250 + 1}"
        sport = 30000 + n % 30000
        out.append(packet(dmac, smac, src, "203.0.113.80", 6,
                          struct.pack("!HHIIBBHHH", sport, 443, 1, 0, 5 << 4, 0x02, 64240, 0, 0)))
        for d in range(10):
            out.append(packet(dmac, smac, src, "203.0.113.80", 6,
                              struct.pack("!HHIIBBHHH", sport, 443, 2 + d, 1, 5 << 4, 0x18,
                                          64240, 0, 0) + b"\0" * 400))
    for h in range(128):
        host, remote = f"192.0.2.{h + 1}", f"100.64.{h}.1"
        dport = 40000 + (run * 128 + h) % 20000
        out.append(packet(dmac, smac, remote, host, 6,
                          struct.pack("!HHIIBBHHH", 443, dport, 1, 1, 5 << 4, 0x12, 64240, 0, 0)))
        for d in range(40):
            out.append(packet(dmac, smac, remote, host, 6,
                              struct.pack("!HHIIBBHHH", 443, dport, 2 + d, 1, 5 << 4, 0x10,
                                          64240, 0, 0) + b"\0" * 1400))
        for d in range(5):
            out.append(packet(dmac, smac, f"100.64.200.{d + 1}", host, 17,
                              struct.pack("!HHHH", 53, 50000 + d, 128, 0) + b"\0" * 120))
        for d in range(10):
            out.append(packet(dmac, smac, f"100.65.{h}.1", host, 17,
                              struct.pack("!HHHH", 443, 51000 + h, 1208, 0) + b"\0" * 1200))
        out.append(packet(dmac, smac, "100.66.0.1", host, 1,
                          struct.pack("!BBHHH", 0, 0, 0, 1, run & 0xFFFF) + b"\0" * 56))
    random.shuffle(out)
    return out


def send(frames, rate, tmp):
    """Sends frames from the namespace at rate per second; returns once the last is out."""
    path = f"{tmp}/frames.bin"
    with open(path, "wb") as f:
        for fr in frames:
            f.write(struct.pack(">I", len(fr)) + fr)
    p = subprocess.Popen(NSENTER + ["/usr/bin/python3", "-c", SENDER, PEER, path, str(rate)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().startswith("ready")
    p.stdin.write("go\n")
    p.stdin.flush()
    p.stdout.readline()  # the first frame
    p.wait()


def frame(kind, src, dst, i, dmac, smac):
    """One Ethernet frame of the flood kind (checksums of IP only: XDP reads headers)."""
    if kind == "syn-flood":
        l4 = struct.pack("!HHIIBBHHH", 10000 + i % 50000, 80, i, 0, 5 << 4, 0x02, 64240, 0, 0)
        proto = 6
    elif kind == "icmp-flood":
        l4 = struct.pack("!BBHHH", 8, 0, 0, 1, i & 0xFFFF) + b"\0" * 56
        proto = 1
    else:
        sport = 123 if kind == "amplification" else 40000
        payload = b"\0" * 200
        l4 = struct.pack("!HHHH", sport, 20000 + i % 1000, 8 + len(payload), 0) + payload
        proto = 17
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), i & 0xFFFF, 0, 64, proto, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dmac + smac + b"\x08\x00" + ip + l4


def api(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return json.loads(r.read())


def host_counter(maps, target, field):
    key = socket.inet_aton(target)
    hexkey = ["00"] * 10 + ["ff", "ff"] + [f"{b:02x}" for b in key] + ["00"] * 4
    r = subprocess.run(["bpftool", "-j", "map", "lookup", "pinned", f"{maps}/fg_hosts", "key", "hex"]
                       + hexkey, capture_output=True, text=True)
    if r.returncode != 0:
        if not os.path.exists(f"{maps}/fg_hosts"):
            raise RuntimeError(f"no {maps}/fg_hosts: {r.stderr.strip()}")
        return 0  # no entry yet: the target got nothing
    total = 0
    for v in json.loads(r.stdout).get("values", []):
        raw = bytes(int(x, 16) for x in v["value"])
        total += struct.unpack_from("<Q", raw, 8 * field)[0]
    return total


def flood(kind, target, rate, seconds, macs, maps, port, threshold, tmp, expect=True):
    frames = [frame(kind, "198.51.100.7", target, i, *macs) for i in range(int(rate * seconds))]
    path = f"{tmp}/frames.bin"
    with open(path, "wb") as f:
        for fr in frames:
            f.write(struct.pack(">I", len(fr)) + fr)
    time.sleep(random.random())  # a random phase against the sweeps
    p = subprocess.Popen(NSENTER + ["/usr/bin/python3", "-c", SENDER, PEER, path, str(rate)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().startswith("ready")
    base = host_counter(maps, target, FIELD[kind])
    p.stdin.write("go\n")
    p.stdin.flush()
    t0 = float(p.stdout.readline().split()[1])
    # FastNetMon's method: per-second speeds from the same counters, a 5 s EMA
    fnm, avg, last = None, 0.0, base
    for k in range(1, int(seconds) + 1):
        time.sleep(max(0.0, t0 + k - time.time()))
        now = host_counter(maps, target, FIELD[kind])
        speed, last = now - last, now
        avg = avg * EMA + speed * (1 - EMA)
        if fnm is None and avg >= threshold:
            fnm = float(k)
    SENT.append((last - base) / int(seconds))
    p.wait()
    flowgate = None
    deadline = time.time() + (5 if expect else 0)
    while time.time() < deadline and flowgate is None:
        for a in api(port, "/api/v1/alerts")["alerts"]:
            if a["target"] == target and a["type"] == kind:
                detected = datetime.fromisoformat(a["detectedAt"].replace("Z", "+00:00"))
                flowgate = detected.timestamp() - t0
        time.sleep(0.1)
    return flowgate, fnm


def pct(xs, p):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(math.ceil(p / 100 * len(xs))) - 1)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--threshold", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=6)
    args = ap.parse_args()
    lab_down()
    fg = None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            lab_up()
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            t = args.threshold
            conf = f"""interfaces:
  - {{name: {HOST}, mode: xdp, direction: ingress, sampling: 0}}
flows: {{max-flows: 65536, sweep-interval: 1s}}
dataplane: {{pin-path: {PIN}, keep-attached: false}}
state-directory: {tmp}/state
api: {{listen: 127.0.0.1:{port}}}
alerts:
  hold-down: 1s
  thresholds:
    syn-flood: {{critical: {t}pps}}
    udp-flood: {{critical: {t}pps}}
    icmp-flood: {{critical: {t}pps}}
    amplification: {{critical: {t}pps}}
  sinks: {{log: false}}
"""
            open(f"{tmp}/fg.yaml", "w").write(conf)
            log = open(f"{tmp}/fg.log", "w")
            fg = subprocess.Popen([f"{ROOT}/bin/flowgate", "run", "--config", f"{tmp}/fg.yaml"],
                                  stdout=log, stderr=subprocess.STDOUT)
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2)
                    break
                except Exception:
                    time.sleep(0.2)
            # the pin directory's layout version (bumped by map changes): the one there is
            maps = next(f"{PIN}/{d}/maps" for d in sorted(os.listdir(PIN), key=int, reverse=True)
                        if os.path.isdir(f"{PIN}/{d}/maps"))
            macs = (mac(HOST), mac(PEER, NS))
            print(f"threshold {t} pps, floods at {2 * t} pps for {args.seconds} s, "
                  f"{args.runs} runs per type, sweep-interval 1s")
            print(f"{'type':14} {'flowgate p50':>12} {'p95':>6} {'FNM-EMA p50':>12} {'p95':>6} "
                  f"{'p95 ratio':>9} {'missed':>6} {'FNM missed':>10} {'sent pps p50':>12}")
            n = 0
            for kind in TYPES:
                ours, theirs = [], []
                for r in range(args.runs):
                    n += 1
                    target = f"10.{100 + n // 250}.{n % 250}.1"
                    a, b = flood(kind, target, 2 * t, args.seconds, macs, maps, port, t, tmp)
                    ours.append(a)
                    theirs.append(b)
                missed = sum(1 for x in ours if x is None)
                fnm_missed = sum(1 for x in theirs if x is None)
                print(f"{kind:14} {pct(ours, 50):12.2f} {pct(ours, 95):6.2f} {pct(theirs, 50):12.2f} "
                      f"{pct(theirs, 95):6.2f} {pct(theirs, 95) / pct(ours, 95):9.2f} {missed:6d} "
                      f"{fnm_missed:10d} {statistics.median(SENT):12.0f}", flush=True)
                SENT.clear()
            before = len(api(port, "/api/v1/alerts")["alerts"])
            benign = 0
            for kind in TYPES:
                for r in range(args.runs):
                    n += 1
                    target = f"10.{100 + n // 250}.{n % 250}.1"
                    flood(kind, target, t // 2, 3, macs, maps, port, t, tmp, expect=False)
                    benign += 1
            time.sleep(2)
            false_alerts = len(api(port, "/api/v1/alerts")["alerts"]) - before
            print(f"benign runs (each type at half the threshold, 3 s): {benign}, "
                  f"false alerts: {false_alerts}", flush=True)
            before += false_alerts
            for r in range(args.runs):
                frames = []
                for sec in range(3):
                    frames += busy_mix(r * 3 + sec, *macs)
                send(frames, len(frames) / 3, tmp)
            time.sleep(2)
            false_alerts = len(api(port, "/api/v1/alerts")["alerts"]) - before
            print(f"benign runs (a busy mix of normal flows, 3 s, ~11,700 frames/s): "
                  f"{args.runs}, false alerts: {false_alerts}", flush=True)
        finally:
            if fg:
                fg.terminate()
                fg.wait(60)
            lab_down()


if __name__ == "__main__":
    sys.exit(main())
