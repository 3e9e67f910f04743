#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Lab check of flowgate.bpf.o on real veths: known frames in, exact counts out.

Run as root:  /usr/bin/python3 dataplane-bpf/test/lab_check.py OBJ

Loads the object with bpftool into its own pin dir, makes two namespaces wired
to the host by veth pairs (fg<pid>a, fg<pid>b), attaches fg_xdp (native) to the
host end of a, fg_tc_ingress and fg_tc_egress (clsact) to the host end of b,
sends a table of crafted frames with AF_PACKET, and compares every flow entry,
the totals and the error counters with what the table says, exactly. Interface
a has a settings entry (slot 1, every packet sampled); b has none (slot
FG_SLOT_UNKNOWN, DP_IFACE_UNKNOWN per frame). Everything it made is removed on
exit, failure included. Exit 0 only if everything matched.
"""
import ctypes
import ipaddress
import json
import os
import struct
import subprocess
import sys
import tempfile
import time

from scapy.all import (ARP, ICMP, IP, SCTP, TCP, UDP, Dot1AD, Dot1Q, Ether,
                       ICMPv6EchoRequest, IPOption_NOP, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, Raw)

PID = os.getpid()
PIN = f"/sys/fs/bpf/fg-{PID}-check"
NS_A, NS_B, NS_X, NS_Y = (f"fg-{PID}-{n}" for n in "abxy")
HA, NA, HB, NB = f"fg{PID}a", f"fg{PID}an", f"fg{PID}b", f"fg{PID}bn"
HX, HY = f"fg{PID}x", f"fg{PID}y"
SLOT_A, SLOT_B, SLOT_X, SLOT_Y, SLOT_UNKNOWN = 1, 2, 3, 4, 255
SNAP = 128
SAMPLE_HDR = struct.Struct("<QIIHBBI")
ERRORS = ["DP_PARSE_TRUNCATED", "DP_PARSE_NOT_IP", "DP_PARSE_BAD_IP",
          "DP_IPV6_EXT_LIMIT", "DP_FRAGMENT_NONFIRST", "DP_FLOW_INSERT_FAILED",
          "DP_SAMPLE_DROPPED", "DP_IFACE_UNKNOWN", "DP_NO_FLOW_MAP", "DP_FLOW_SPILLED"]

M1, M2 = "02:00:00:00:00:01", "02:00:00:00:00:02"
E = Ether(src=M1, dst=M2)
V4S, V4D, V6S, V6D = "10.1.0.1", "10.1.0.2", "fd00::1", "fd00::2"


def sh(*cmd, check=True, inp=None):
    r = subprocess.run(cmd, input=inp, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r.stdout


def ip_len(frame):
    """the IP length the kernel must count: the declared length field"""
    if IP in frame:
        return frame[IP].len
    return frame[IPv6].plen + 40


# each case: name, frame, times, expected flow (or, for an other frame, its
# bytes past the L2 header the parser read) and the error it counts
def flow(src, dst, sp, dp, proto, vlan=0, flags=0, tos=0):
    return dict(src=src, dst=dst, sp=sp, dp=dp, proto=proto, vlan=vlan,
                flags=flags, tos=tos)


CASES_XDP = [
    ("udp_ipv4_counts_ip_bytes", E / IP(src=V4S, dst=V4D, tos=0x10) / UDP(sport=1000, dport=2000) / Raw(b"x" * 10),
     3, flow(V4S, V4D, 1000, 2000, 17, tos=0x10), None),
    ("ipv4_with_options_reads_ports_after_ihl",
     E / IP(src=V4S, dst=V4D, options=[IPOption_NOP()] * 4) / TCP(sport=40000, dport=80, flags="S"),
     1, flow(V4S, V4D, 40000, 80, 6, flags=0x02), None),
    ("tcp_flags_are_ored", E / IP(src=V4S, dst=V4D, options=[IPOption_NOP()] * 4) / TCP(sport=40000, dport=80, flags="PA") / Raw(b"hello"),
     2, flow(V4S, V4D, 40000, 80, 6, flags=0x1a), None),
    ("icmp_in_8021q_has_type_code_and_vid", E / Dot1Q(vlan=100) / IP(src=V4S, dst=V4D) / ICMP(type=8, code=0),
     2, flow(V4S, V4D, 0, 0x0800, 1, vlan=100), None),
    ("qinq_keeps_outer_vid", Ether(src=M1, dst=M2, type=0x88a8) / Dot1AD(vlan=200) / Dot1Q(vlan=300) / IPv6(src=V6S, dst=V6D, tc=0xb8) / UDP(sport=53, dport=5353),
     1, flow(V6S, V6D, 53, 5353, 17, vlan=200, tos=0xb8), None),
    ("ipv6_walks_hop_by_hop_and_dest_opts", E / IPv6(src=V6S, dst=V6D) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / TCP(sport=1234, dport=443, flags="S"),
     1, flow(V6S, V6D, 1234, 443, 6, flags=0x02), None),
    ("ipv6_nonfirst_fragment_has_ports_0", E / IPv6(src=V6S, dst=V6D) / IPv6ExtHdrFragment(offset=100, nh=17, m=1) / Raw(b"y" * 16),
     1, flow(V6S, V6D, 0, 0, 17), "DP_FRAGMENT_NONFIRST"),
    ("ipv4_nonfirst_fragment_has_ports_0", E / IP(src=V4S, dst=V4D, proto=17, frag=10) / Raw(b"z" * 20),
     1, flow(V4S, V4D, 0, 0, 17), "DP_FRAGMENT_NONFIRST"),
    ("ipv4_first_fragment_has_ports", E / IP(src=V4S, dst=V4D, flags="MF") / UDP(sport=7, dport=9) / Raw(b"f" * 8),
     1, flow(V4S, V4D, 7, 9, 17), None),
    ("arp_is_other", E / ARP(psrc=V4S, pdst=V4D), 2, 28, "DP_PARSE_NOT_IP"),
    ("truncated_udp_counts_with_ports_0", E / IP(src="10.1.0.3", dst=V4D, proto=17, len=100) / Raw(b"\x00\x07\x00"),
     1, flow("10.1.0.3", V4D, 0, 0, 17), "DP_PARSE_TRUNCATED"),
    ("ipv6_chain_past_limit_is_counted", E / IPv6(src=V6S, dst=V6D) / (IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt() / IPv6ExtHdrDestOpt()) / UDP(sport=1, dport=2),
     1, flow(V6S, V6D, 0, 0, 60), "DP_IPV6_EXT_LIMIT"),
    ("sctp_has_ports", E / IP(src=V4S, dst=V4D) / SCTP(sport=3868, dport=3869), 1, flow(V4S, V4D, 3868, 3869, 132), None),
    ("icmpv6_echo_type_code", E / IPv6(src=V6S, dst=V6D) / ICMPv6EchoRequest(), 1, flow(V6S, V6D, 0, 128 << 8, 58), None),
    ("bad_ip_version_is_other", Ether(src=M1, dst=M2, type=0x0800) / Raw(bytes([0x55]) + bytes(19)), 1, 20, "DP_PARSE_BAD_IP"),
    ("vlan_tag_cut_short_is_other", Ether(src=M1, dst=M2, type=0x8100) / Raw(b"\x00\x64"), 1, 2, "DP_PARSE_TRUNCATED"),
    ("third_tag_is_other", Ether(src=M1, dst=M2, type=0x88a8) / Dot1AD(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) / IP(src=V4S, dst=V4D) / UDP(),
     1, 32, "DP_PARSE_NOT_IP"),
]

CASES_TC_IN = [
    ("tc_qinq_outer_tag_from_vlan_tci", Ether(src=M1, dst=M2, type=0x88a8) / Dot1AD(vlan=200) / Dot1Q(vlan=300) / IPv6(src=V6S, dst=V6D) / UDP(sport=53, dport=5353),
     2, flow(V6S, V6D, 53, 5353, 17, vlan=200), None),
    ("tc_single_tag_from_vlan_tci", E / Dot1Q(vlan=100) / IP(src=V4S, dst=V4D) / UDP(sport=5, dport=6), 1, flow(V4S, V4D, 5, 6, 17, vlan=100), None),
    ("tc_plain_udp", E / IP(src=V4S, dst=V4D) / UDP(sport=5, dport=6) / Raw(b"q" * 100), 3, flow(V4S, V4D, 5, 6, 17), None),
    ("tc_tagged_arp_is_other", E / Dot1Q(vlan=5) / ARP(psrc=V4S, pdst=V4D), 1, 28, "DP_PARSE_NOT_IP"),
]

CASES_TC_OUT = [
    ("tc_egress_udp", E / IP(src=V4D, dst=V4S) / UDP(sport=6, dport=5), 2, flow(V4D, V4S, 6, 5, 17), None),
    ("tc_egress_tag_in_frame", E / Dot1Q(vlan=7) / IPv6(src=V6D, dst=V6S) / TCP(sport=443, dport=1234, flags="SA"),
     1, flow(V6D, V6S, 443, 1234, 6, vlan=7, flags=0x12), None),
]

SENDER = r"""
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for line in sys.stdin:
    s.send(bytes.fromhex(line.strip()))
"""


def send(ns, dev, frames, cpu=None):
    cmd = ["/usr/bin/python3", "-c", SENDER, dev]
    if cpu is not None:
        cmd = ["taskset", "-c", str(cpu)] + cmd
    if ns:
        cmd = ["nsenter", f"--net=/run/netns/{ns}"] + cmd
    sh(*cmd, inp="".join(bytes(f).hex() + "\n" for f in frames))


def mapped(addr):
    a = ipaddress.ip_address(addr)
    if a.version == 4:
        a = ipaddress.IPv6Address("::ffff:" + addr)
    return list(a.packed)


def expectations(cases, ifindex, direction, slot, exp_flows, exp_tot, exp_err):
    tot = exp_tot.setdefault((slot, direction), dict(packets=0, bytes=0, other_packets=0, other_bytes=0))
    for name, frame, times, fl, err in cases:
        frame = Ether(bytes(frame))
        if isinstance(fl, int):  # other frame, fl = bytes past the L2 header read
            tot["other_packets"] += times
            tot["other_bytes"] += times * fl
        else:
            key = (ifindex, direction, tuple(mapped(fl["src"])), tuple(mapped(fl["dst"])),
                   fl["sp"], fl["dp"], fl["proto"], fl["vlan"])
            e = exp_flows.setdefault(key, dict(packets=0, bytes=0, tcp_flags=0, tos=fl["tos"],
                                               ip_version=4 if IP in frame else 6))
            e["packets"] += times
            e["bytes"] += times * ip_len(frame)
            e["tcp_flags"] |= fl["flags"]
            tot["packets"] += times
            tot["bytes"] += times * ip_len(frame)
        if err:
            exp_err[err] = exp_err.get(err, 0) + times
        if slot == SLOT_UNKNOWN:
            exp_err["DP_IFACE_UNKNOWN"] = exp_err.get("DP_IFACE_UNKNOWN", 0) + times


def dump(name):
    return json.loads(sh("bpftool", "map", "dump", "pinned", f"{PIN}/maps/{name}", "-j"))


def flow_entries():
    """Every flow of the flow table (both halves, used slots and spill maps), one
    (key, value) per key: the per-CPU entries of a key added up. Times stay jiffies."""
    merged = {}
    entries = [(e["formatted"]["value"]["key"], e["formatted"]["value"]["stats"])
               for e in dump("fg_flows") if e["formatted"]["value"]["state"] == 1]
    for spill in ("fg_spill_0", "fg_spill_1"):
        entries += [(e["formatted"]["key"], e["formatted"]["value"]) for e in dump(spill)]
    for k, v in entries:
        key = json.dumps(k, sort_keys=True)
        if key not in merged:
            merged[key] = (k, dict(v))
            continue
        m = merged[key][1]
        m["packets"] += v["packets"]
        m["bytes"] += v["bytes"]
        m["tcp_flags"] |= v["tcp_flags"]
        m["first_seen_ns"] = min(m["first_seen_ns"], v["first_seen_ns"])
        m["last_seen_ns"] = max(m["last_seen_ns"], v["last_seen_ns"])
    return list(merged.values())


def cpu_sum(entry, field=None):
    vals = entry["formatted"]["values"]
    if field is None:
        return sum(v["value"] for v in vals)
    return sum(v["value"][field] for v in vals)


def check(exp_flows, exp_tot, exp_err):
    ok = True
    got = {}
    for k, v in flow_entries():
        key = (k["ifindex"], k["direction"], tuple(k["src_addr"]), tuple(k["dst_addr"]),
               k["src_port"], k["dst_port"], k["protocol"], k["vlan_id"])
        got[key] = dict(packets=v["packets"], bytes=v["bytes"], tcp_flags=v["tcp_flags"],
                        tos=v["tos"], ip_version=v["ip_version"])
        if not v["first_seen_ns"] or v["last_seen_ns"] < v["first_seen_ns"]:
            print(f"FAIL times {key}: {v}")
            ok = False
    for key in sorted(set(got) | set(exp_flows), key=str):
        if got.get(key) != exp_flows.get(key):
            print(f"FAIL flow {key}: got {got.get(key)} expected {exp_flows.get(key)}")
            ok = False
    print(f"flows: {len(got)} entries, expected {len(exp_flows)}")
    for e in dump("fg_totals"):
        idx = e["formatted"]["key"]
        slot, d = divmod(idx, 2)
        g = {f: cpu_sum(e, f) for f in ("packets", "bytes", "other_packets", "other_bytes",
                                         "insert_failed", "insert_failed_bytes")}
        want = dict(exp_tot.get((slot, d), {}))
        want = {f: want.get(f, 0) for f in g}
        if g != want:
            print(f"FAIL totals slot {slot} dir {d}: got {g} expected {want}")
            ok = False
        elif any(g.values()):
            print(f"totals slot {slot} dir {d}: {g}")
    for e in dump("fg_errors"):
        idx = e["formatted"]["key"]
        g, want = cpu_sum(e), exp_err.get(ERRORS[idx], 0)
        if g != want:
            print(f"FAIL error {ERRORS[idx]}: got {g} expected {want}")
            ok = False
        elif g:
            print(f"error {ERRORS[idx]}: {g}")
    return ok


def ifindex(dev):
    # the caller's network namespace (an ioctl), not /sys/class/net's mount view
    import socket
    return socket.if_nametoindex(dev)


def setup(obj):
    os.makedirs(f"{PIN}/maps")
    sh("bpftool", "prog", "loadall", obj, f"{PIN}/progs", "pinmaps", f"{PIN}/maps")
    for ns, h, n in ((NS_A, HA, NA), (NS_B, HB, NB)):
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", h, "type", "veth", "peer", "name", n)
        sh("ip", "link", "set", n, "netns", ns)
        sh("sysctl", "-q", "-w", f"net.ipv6.conf.{h}.disable_ipv6=1")
        sh("nsenter", f"--net=/run/netns/{ns}", "sysctl", "-q", "-w", f"net.ipv6.conf.{n}.disable_ipv6=1")
        sh("ip", "link", "set", h, "up")
        sh("ip", "-n", ns, "link", "set", n, "up")
    # a: slot 1, every packet sampled; b: no settings (unknown slot)
    settings(ifindex(HA), SLOT_A, 1)
    sh("bpftool", "net", "attach", "xdpdrv", "pinned", f"{PIN}/progs/fg_xdp", "dev", HA)
    sh("tc", "qdisc", "add", "dev", HB, "clsact")
    sh("tc", "filter", "add", "dev", HB, "ingress", "bpf", "direct-action", "pinned", f"{PIN}/progs/fg_tc_ingress")
    sh("tc", "filter", "add", "dev", HB, "egress", "bpf", "direct-action", "pinned", f"{PIN}/progs/fg_tc_egress")


def settings(ifx, slot, rate):
    key = [str(b) for b in struct.pack("<I", ifx)]
    val = [str(b) for b in struct.pack("<III", slot, rate, 1)]  # flags: FG_SETTINGS_VALID
    sh("bpftool", "map", "update", "pinned", f"{PIN}/maps/fg_settings", "key", *key, "value", *val)


class Samples:
    """reads fg_samples through libbpf's ring_buffer API (ctypes)"""
    CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)

    def __init__(self, path):
        self.lib = ctypes.CDLL("libbpf.so.1", use_errno=True)
        self.lib.bpf_obj_get.argtypes = [ctypes.c_char_p]
        self.lib.ring_buffer__new.restype = ctypes.c_void_p
        self.lib.ring_buffer__new.argtypes = [ctypes.c_int, self.CB, ctypes.c_void_p, ctypes.c_void_p]
        self.lib.ring_buffer__consume.argtypes = [ctypes.c_void_p]
        self.lib.ring_buffer__free.argtypes = [ctypes.c_void_p]
        self.fd = self.lib.bpf_obj_get(path.encode())
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), f"bpf_obj_get {path}")
        self.records = []
        self.cb = self.CB(self._on)
        self.rb = self.lib.ring_buffer__new(self.fd, self.cb, None, None)
        if not self.rb:
            raise OSError(ctypes.get_errno(), "ring_buffer__new")

    def _on(self, ctx, data, size):
        self.records.append(ctypes.string_at(data, size))
        return 0

    def take(self):
        if self.lib.ring_buffer__consume(self.rb) < 0:
            raise OSError(ctypes.get_errno(), "ring_buffer__consume")
        out, self.records = self.records, []
        return [SAMPLE_HDR.unpack_from(r) + (r[SAMPLE_HDR.size:],) for r in out]

    def close(self):
        self.lib.ring_buffer__free(self.rb)
        os.close(self.fd)


def check_samples(got, frames, ifx, slot, direction):
    """every expected frame sampled once, in order, as the wire frame"""
    ok = len(got) == len(frames)
    if not ok:
        print(f"FAIL samples: got {len(got)} expected {len(frames)}")
    last = 0
    for (ts, gifx, orig, cap, d, pad, gslot, data), f in zip(got, frames):
        f = bytes(f)
        want_cap = min(len(f), SNAP)
        if (gifx, orig, cap, d, gslot) != (ifx, len(f), want_cap, direction, slot) \
                or data[:cap] != f[:want_cap] or ts < last:
            print(f"FAIL sample: ifindex {gifx} orig {orig} cap {cap} dir {d} slot {gslot} ts {ts}"
                  f" data {data[:cap].hex()} expected {f[:want_cap].hex()}")
            ok = False
        last = ts
    print(f"samples: {len(got)} records checked")
    return ok


def teardown():
    sh("ip", "link", "del", HA, check=False)
    sh("ip", "link", "del", HB, check=False)
    sh("ip", "-n", NS_X, "link", "del", HX, check=False)
    for ns in (NS_A, NS_B, NS_X, NS_Y):
        sh("ip", "netns", "del", ns, check=False)
    sh("rm", "-rf", PIN, check=False)


def prog_run():
    """BPF_PROG_TEST_RUN: every verdict is pass, whatever the frame"""
    ok = True
    frames = [c[1] for c in CASES_XDP]
    with tempfile.TemporaryDirectory() as d:
        for i, f in enumerate(frames):
            p = f"{d}/f{i}"
            open(p, "wb").write(bytes(f))
            for prog, want in (("fg_xdp", 2), ("fg_tc_ingress", -1), ("fg_tc_egress", -1)):
                out = sh("bpftool", "prog", "run", "pinned", f"{PIN}/progs/{prog}", "data_in", p, "repeat", "1", "-j")
                r = json.loads(out)["retval"]
                if r != want and not (want == -1 and r == 0xffffffff):
                    print(f"FAIL prog run {prog} frame {i}: retval {r}")
                    ok = False
    return ok


SERVER = r"""
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.77.2", 5201)); s.listen(1); print("ready", flush=True)
c, _ = s.accept(); n = 0
while True:
    b = c.recv(1 << 20)
    if not b: break
    n += len(b)
c.close(); print(n, flush=True)
"""
CLIENT = r"""
import socket
c = socket.create_connection(("192.168.77.2", 5201))
c.sendall(b"g" * (4 << 20)); c.close()
"""


def gso_check():
    """TC egress on x counts GSO super-packets as the segments that XDP on
    its peer y sees one by one: both sides must agree flow by flow."""
    sh("ip", "netns", "add", NS_X)
    sh("ip", "netns", "add", NS_Y)
    sh("ip", "link", "add", HX, "type", "veth", "peer", "name", HY)
    ifx, ify = ifindex(HX), ifindex(HY)
    for ns, dev, addr in ((NS_X, HX, "192.168.77.1/24"), (NS_Y, HY, "192.168.77.2/24")):
        sh("ip", "link", "set", dev, "netns", ns)
        sh("nsenter", f"--net=/run/netns/{ns}", "sysctl", "-q", "-w", f"net.ipv6.conf.{dev}.disable_ipv6=1")
        sh("ip", "-n", ns, "addr", "add", addr, "dev", dev)
        sh("ip", "-n", ns, "link", "set", dev, "up")
    settings(ifx, SLOT_X, 0)
    settings(ify, SLOT_Y, 0)
    nx, ny = ["nsenter", f"--net=/run/netns/{NS_X}"], ["nsenter", f"--net=/run/netns/{NS_Y}"]
    sh(*ny, "bpftool", "net", "attach", "xdpdrv", "pinned", f"{PIN}/progs/fg_xdp", "dev", HY)
    sh(*nx, "tc", "qdisc", "add", "dev", HX, "clsact")
    sh(*nx, "tc", "filter", "add", "dev", HX, "egress", "bpf", "direct-action", "pinned", f"{PIN}/progs/fg_tc_egress")
    runs_before = prog_runs("fg_tc_egress") or 0
    srv = subprocess.Popen(ny + ["/usr/bin/python3", "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        srv.stdout.readline()
        sh(*nx, "/usr/bin/python3", "-c", CLIENT)
        received = int(srv.stdout.readline())
    finally:
        srv.kill()
        srv.wait()
    time.sleep(0.5)  # the last ACK
    runs = prog_runs("fg_tc_egress") - runs_before

    flows = {}
    for k, v in flow_entries():
        if k["ifindex"] not in (ifx, ify):
            continue
        side = "tc" if k["ifindex"] == ifx else "xdp"
        key = (tuple(k["src_addr"]), tuple(k["dst_addr"]), k["src_port"], k["dst_port"], k["protocol"])
        flows.setdefault(key, {})[side] = (v["packets"], v["bytes"], v["tcp_flags"])
    ok = received == 4 << 20
    for key, sides in flows.items():
        if sides.get("tc") != sides.get("xdp"):
            print(f"FAIL gso flow {key}: tc egress {sides.get('tc')} xdp ingress {sides.get('xdp')}")
            ok = False
    tot = {}
    for e in dump("fg_totals"):
        slot, d = divmod(e["formatted"]["key"], 2)
        if (slot, d) in ((SLOT_X, 1), (SLOT_Y, 0)):
            tot[slot] = tuple(cpu_sum(e, f) for f in ("packets", "bytes", "other_packets", "other_bytes"))
    if tot.get(SLOT_X) != tot.get(SLOT_Y):
        print(f"FAIL gso totals: tc egress {tot.get(SLOT_X)} xdp ingress {tot.get(SLOT_Y)}")
        ok = False
    pkts = tot.get(SLOT_X, (0,))[0]
    if runs is not None and not runs < pkts:
        print(f"FAIL gso: {runs} runs of fg_tc_egress for {pkts} packets: no GSO packet seen")
        ok = False
    print(f"gso: {len(flows)} flows, {pkts} packets in {runs} egress runs, totals {tot.get(SLOT_X)}")
    return ok


def prog_runs(name):
    info = json.loads(sh("bpftool", "prog", "show", "pinned", f"{PIN}/progs/{name}", "-j"))
    return info.get("run_cnt")


def main():
    obj = sys.argv[1]
    stats = open("/proc/sys/kernel/bpf_stats_enabled").read().strip()
    samples = None
    ok = False
    try:
        setup(obj)
        samples = Samples(f"{PIN}/maps/fg_samples")
        ifa, ifb = ifindex(HA), ifindex(HB)
        frames_a = [c[1] for c in CASES_XDP for _ in range(c[2])]
        send(NS_A, NA, frames_a)
        send(NS_B, NB, [c[1] for c in CASES_TC_IN for _ in range(c[2])])
        send(None, HB, [c[1] for c in CASES_TC_OUT for _ in range(c[2])])
        flows, tot, err = {}, {}, {}
        expectations(CASES_XDP, ifa, 0, SLOT_A, flows, tot, err)
        expectations(CASES_TC_IN, ifb, 0, SLOT_UNKNOWN, flows, tot, err)
        expectations(CASES_TC_OUT, ifb, 1, SLOT_UNKNOWN, flows, tot, err)
        ok = check(flows, tot, err)
        ok = check_samples(samples.take(), frames_a, ifa, SLOT_A, 0) and ok

        # b gets a slot and 1-in-2 sampling; one CPU sends 5 tagged frames:
        # samples 1, 3 and 5, the outer tag put back from skb->vlan_tci
        settings(ifb, SLOT_B, 2)
        tagged = CASES_TC_IN[0][1]
        send(NS_B, NB, [tagged] * 5, cpu=0)
        ok = check_samples(samples.take(), [tagged] * 3, ifb, SLOT_B, 0) and ok

        sh("sysctl", "-q", "-w", "kernel.bpf_stats_enabled=1")
        ok = gso_check() and ok
        sh("sysctl", "-q", "-w", f"kernel.bpf_stats_enabled={stats}")
        ok = prog_run() and ok
    finally:
        if samples:
            samples.close()
        sh("sysctl", "-q", "-w", f"kernel.bpf_stats_enabled={stats}", check=False)
        teardown()
    print("lab check:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
