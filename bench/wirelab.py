# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The lab of the wire benchmarks (bench/wire.py, bench/pressure.py): a
namespace wired to the host by a veth pair, trafgen inside sending 60-byte
UDP frames (64 on a wire, with the FCS) to a destination MAC that is not the
host veth's, so the host drops them before routing (nothing ever goes toward
the uplink); the probes under test on the host end; nfcapd on loopback.

Every process a run starts is put into one cpuacct cgroup (CPU of our own
processes, apart from the other work of a shared machine), killed on exit,
and the lab, pins, state and cgroup are removed (Lab is a context manager).
"""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

PID = os.getpid()
NS = f"fg-{PID}-wire"
HOST, PEER = f"fg{PID}w", f"fg{PID}p"
PIN = f"/sys/fs/bpf/fg-{PID}-wire"
CGROUP = f"/sys/fs/cgroup/cpuacct/fg-{PID}-wire"
NSENTER = ["nsenter", f"--net=/run/netns/{NS}"]
SRC_BASE = 10 << 24  # 10.0.0.0: flow i has source 10.0.0.0 + i
FRAME_PAYLOAD = 18   # 14 + 20 + 8 + 18 = 60 bytes, 64 on a wire with the FCS
DST_MAC = "02:00:00:00:00:02"
COLLECTOR_RCVBUF = 256 << 20  # nfcapd -B: a 1M-flow export burst fits (truesize ~2.3 KB/message)
USER_HZ = os.sysconf("SC_CLK_TCK")


def sh(*cmd, check=True):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r.stdout


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """the namespace, the veth pair, the cgroup and every process started
    through start(); all removed by close(), failure included"""

    def __init__(self):
        self.procs = []
        self.tmp = tempfile.mkdtemp(prefix=f"fg-{PID}-wire-")
        self.rmem_was = None

    def __enter__(self):
        sh("ip", "netns", "add", NS)
        sh("ip", "link", "add", HOST, "type", "veth", "peer", "name", PEER)
        sh("ip", "link", "set", PEER, "netns", NS)
        sh("sysctl", "-q", "-w", f"net.ipv6.conf.{HOST}.disable_ipv6=1")
        sh(*NSENTER, "sysctl", "-q", "-w", f"net.ipv6.conf.{PEER}.disable_ipv6=1")
        sh("ip", "link", "set", HOST, "up")
        sh("ip", "-n", NS, "link", "set", PEER, "up")
        if open(f"/sys/class/net/{HOST}/address").read().strip() == DST_MAC:
            raise RuntimeError(f"{HOST} has the frames' destination MAC {DST_MAC}: run again")
        os.makedirs(CGROUP, exist_ok=True)
        os.makedirs(PIN, exist_ok=True)
        # nfcapd's -B is capped by rmem_max: raise it for the run (restored on exit)
        self.rmem_was = int(open("/proc/sys/net/core/rmem_max").read())
        if self.rmem_was < COLLECTOR_RCVBUF:
            sh("sysctl", "-q", "-w", f"net.core.rmem_max={COLLECTOR_RCVBUF}")
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for p in self.procs:
            stop(p, signal.SIGKILL, 0)
        self.procs = []
        sh("ip", "link", "del", HOST, check=False)
        sh("ip", "netns", "del", NS, check=False)
        sh("rm", "-rf", PIN, self.tmp, check=False)
        if self.rmem_was is not None and self.rmem_was < COLLECTOR_RCVBUF:
            sh("sysctl", "-q", "-w", f"net.core.rmem_max={self.rmem_was}", check=False)
        if os.path.isdir(CGROUP):
            for _ in range(50):
                try:
                    os.rmdir(CGROUP)
                    break
                except OSError:
                    time.sleep(0.1)

    def start(self, name, cmd, **kw):
        """a process of the run, in the cgroup, output to TMP/name.log"""
        log = open(f"{self.tmp}/{name}.log", "w")

        def into_cgroup():
            with open(f"{CGROUP}/cgroup.procs", "w") as f:
                f.write(str(os.getpid()))

        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=into_cgroup,
                             start_new_session=True, **kw)
        p.log = log.name
        self.procs.append(p)
        return p

    def forget(self, p):
        if p in self.procs:
            self.procs.remove(p)


def stop(p, sig=signal.SIGTERM, timeout=30):
    """signal p (its session: pmacctd forks its plugins), wait at most timeout
    seconds, then kill it; returns its exit code"""
    if p.poll() is None:
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    try:  # pmacctd's plugin may outlive its core process
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return p.returncode


def xdp_run_ns(dev):
    """(runs, ns) of the XDP program attached to dev from the kernel's BPF
    statistics; None when kernel.bpf_stats_enabled is 0 (they cost a clock
    read per run, so the benchmark does not turn them on)"""
    if open("/proc/sys/kernel/bpf_stats_enabled").read().strip() != "1":
        return None
    try:
        prog = json.loads(sh("ip", "-j", "link", "show", dev))[0].get("xdp", {}).get("prog", {})
        info = json.loads(sh("bpftool", "prog", "show", "id", str(prog["id"]), "-j"))
    except (KeyError, RuntimeError, ValueError):
        return None
    return info.get("run_cnt", 0), info.get("run_time_ns", 0)


def link_stats(dev, ns=None):
    pre = ["ip", "-n", ns] if ns else ["ip"]
    return json.loads(sh(*pre, "-s", "-j", "link", "show", dev))[0]["stats64"]


def host_rx():
    """packets the host veth delivered to its receive path (XDP or the stack)"""
    return link_stats(HOST)["rx"]["packets"]


def peer_tx():
    s = link_stats(PEER, NS)["tx"]
    return s["packets"], s["dropped"]


def trafgen_conf(path, flows, dport_cycle=0):
    """flows source addresses round-robin (dinc); dport_cycle > 0 also cycles
    the destination port over that many values (coprime to flows: every
    packet a new 5-tuple for flows x dport_cycle packets)"""
    lo, hi = SRC_BASE, SRC_BASE + flows - 1
    sa = f"sa=10.0.0.0, sa[0:4]=dinc({lo}, {hi})" if flows > 1 else "sa=10.0.0.0"
    dp = f"dp=dinc(1, {dport_cycle})" if dport_cycle else "dp=2000"
    with open(path, "w") as f:
        f.write(f"{{\n  eth(da={DST_MAC}, sa=02:00:00:00:00:01),\n"
                f"  ipv4({sa}, da=10.255.0.1, ttl=64),\n"
                f"  udp(sp=1000, {dp}),\n"
                f"  fill(0x41, {FRAME_PAYLOAD})\n}}\n")


def trafgen_cmd(conf, count=None):
    # sendto() mode (--rate), as bench/dataplane.py: every skb linear, as a
    # NIC's receive path builds them; one CPU
    cmd = NSENTER + ["trafgen", "--dev", PEER, "--conf", conf, "--cpus", "1",
                     "--no-sock-mem", "--notouch-irq", "--no-cpu-stats", "--gap", "0"]
    if count:
        cmd += ["-n", str(count)]
    return cmd


def run_sender(lab, cmd, timeout):
    """runs trafgen in the run's cgroup (the receive path runs in its
    context: softirq at bh enable) until it ends, at most timeout seconds
    (then SIGINT: trafgen stops and reports)"""
    p = lab.start("trafgen", cmd)
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        stop(p, signal.SIGINT, 10)
    lab.forget(p)
    if p.returncode not in (0, -signal.SIGINT):
        raise RuntimeError(f"trafgen: exit {p.returncode}: {open(p.log).read()[-1000:]}")


class CpuMeter:
    """CPU time between two snapshots: the machine's (/proc/stat, all CPUs:
    user, system, irq, softirq) and our own (the run's cgroup, user + system
    incl. softirq work done in our processes' context, plus the ksoftirqd
    threads: network work deferred there); seconds"""

    def __init__(self):
        self.ksoftirqd = [int(p) for p in os.listdir("/proc") if p.isdigit() and
                          _comm(p).startswith("ksoftirqd/")]

    def snap(self):
        f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
        user, nice, system, _idle, _iow, irq, softirq = f[:7]
        ksoft = sum(int(open(f"/proc/{p}/schedstat").read().split()[0]) for p in self.ksoftirqd)
        own = int(open(f"{CGROUP}/cpuacct.usage").read())
        return {"t": time.monotonic(), "user": (user + nice) / USER_HZ, "system": system / USER_HZ,
                "irq": irq / USER_HZ, "softirq": softirq / USER_HZ, "own": own / 1e9,
                "ksoftirqd": ksoft / 1e9}

    @staticmethod
    def delta(a, b):
        d = {k: b[k] - a[k] for k in a}
        d["machine"] = d["user"] + d["system"] + d["irq"] + d["softirq"]
        d["own"] += d["ksoftirqd"]
        d["wall"] = d.pop("t")
        return d


def _comm(pid):
    try:
        return open(f"/proc/{pid}/comm").read()
    except OSError:
        return ""


class Collector:
    """nfcapd on loopback with a large socket buffer"""

    def __init__(self, lab, name="nfcapd"):
        self.lab, self.port = lab, free_udp_port()
        self.dir = tempfile.mkdtemp(prefix=name + "-", dir=lab.tmp)
        self.p = lab.start(name, ["nfcapd", "-w", self.dir, "-b", "127.0.0.1", "-p", str(self.port),
                                  "-t", "3600", "-B", str(COLLECTOR_RCVBUF)])
        deadline = time.monotonic() + 20
        while self.udp_row() is None:
            if self.p.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nfcapd did not bind: {open(self.p.log).read()[-500:]}")
            time.sleep(0.1)

    def udp_row(self):
        want = f"0100007F:{self.port:04X}"
        for line in open("/proc/net/udp").readlines()[1:]:
            f = line.split()
            if f[1] == want:
                return f
        return None

    def drops(self):
        """datagrams the kernel dropped at nfcapd's socket (buffer full)"""
        row = self.udp_row()
        return int(row[-1]) if row else -1

    def finish(self):
        """stops nfcapd (it closes its file); returns (flows, packets, drops)"""
        drops = self.drops()
        stop(self.p, signal.SIGTERM, 60)
        self.lab.forget(self.p)
        flows = packets = 0
        files = sorted(f for f in os.listdir(self.dir) if f.startswith("nfcapd.2"))
        for f in files:
            out = sh("nfdump", "-I", "-r", f"{self.dir}/{f}")
            flows += int(re.search(r"^Flows:\s+(\d+)", out, re.M).group(1))
            packets += int(re.search(r"^Packets:\s+(\d+)", out, re.M).group(1))
        return flows, packets, drops


def rss_kb(pid):
    """VmRSS and VmHWM (peak) of pid, kB"""
    got = {}
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(("VmRSS:", "VmHWM:")):
            got[line.split(":")[0]] = int(line.split()[1])
    return got.get("VmRSS", 0), got.get("VmHWM", 0)


class Flowgate:
    """bin/flowgate run on the host veth: XDP ingress, IPFIX to a collector,
    its own pin path and state directory, the API on an ephemeral port"""

    def __init__(self, lab, root, collector_port, max_flows, idle="2s", name="flowgate"):
        self.lab = lab
        state = f"{lab.tmp}/{name}-state"
        self.pin = f"{PIN}/{name}"
        conf = f"{lab.tmp}/{name}.yaml"
        with open(conf, "w") as f:
            f.write(f"""interfaces:
  - name: {HOST}
    mode: xdp
    direction: ingress
    sampling: 0
flows:
  max-flows: {max_flows}
  sweep-interval: 1s
  idle-timeout: {idle}
  active-timeout: 60s
dataplane:
  pin-path: {self.pin}
  keep-attached: false
state-directory: {state}
export:
  ipfix:
    - collector: 127.0.0.1:{collector_port}
      protocol: ipfix
      transport: udp
      sequence-counts-options: false
api:
  listen: 127.0.0.1:0
metrics:
  enabled: true
""")
        self.p = lab.start(name, [f"{root}/bin/flowgate", "run", "--config", conf])
        self.api = None
        deadline = time.monotonic() + 180
        while True:
            if self.p.poll() is not None:
                raise RuntimeError(f"flowgate exited: {open(self.p.log).read()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"flowgate not ready in 180 s: {open(self.p.log).read()[-2000:]}")
            if self.api is None:
                m = re.search(r"API listening on ([\d.]+):(\d+)", open(self.p.log).read())
                if m:
                    self.api = f"http://{m.group(1)}:{m.group(2)}"
            if self.api:
                try:
                    with urllib.request.urlopen(f"{self.api}/readyz", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
            time.sleep(0.2)

    def get(self, path):
        with urllib.request.urlopen(f"{self.api}{path}", timeout=30) as r:
            return r.read().decode()

    def status(self):
        return json.loads(self.get("/api/v1/status"))

    def metrics(self):
        """{(name, labels): value} of the text exposition"""
        got = {}
        for line in self.get("/metrics").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            m = re.match(r"([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)", line)
            if m:
                got[(m.group(1), m.group(2) or "")] = float(m.group(3))
        return got

    def thread_cpu(self):
        """CPU seconds of the JVM's threads so far (user + system, /proc/PID/task):
        (JIT compiler threads, the rest)"""
        jit = other = 0
        for t in os.listdir(f"/proc/{self.p.pid}/task"):
            try:
                st = open(f"/proc/{self.p.pid}/task/{t}/stat").read()
            except OSError:
                continue  # ended since the listing
            name = st[st.index("(") + 1:st.rindex(")")]
            f = st[st.rindex(")") + 2:].split()
            ticks = int(f[11]) + int(f[12])
            if "CompilerThre" in name:
                jit += ticks
            else:
                other += ticks
        return jit / USER_HZ, other / USER_HZ

    def rss(self):
        """RSS and peak RSS of the JVM, kB (bin/flowgate execs java)"""
        return rss_kb(self.p.pid)

    def stop(self):
        """SIGTERM: finishes and exports every cached flow, detaches, unpins"""
        rc = stop(self.p, signal.SIGTERM, 120)
        self.lab.forget(self.p)
        sh("rm", "-rf", self.pin, check=False)
        return rc


def metric_sum(metrics, name, **labels):
    """sum of name's series whose labels include labels"""
    total = 0.0
    for (n, ls), v in metrics.items():
        if n == name and all(f'{k}="{val}"' in ls for k, val in labels.items()):
            total += v
    return total
