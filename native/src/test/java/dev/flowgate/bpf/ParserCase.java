package dev.flowgate.bpf;

import dev.flowgate.bpf.FlowgateUnderTest.FlowCounters;
import dev.flowgate.bpf.FlowgateUnderTest.FlowKey;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * One row of the parser table: a frame, and what flowgate must count for it: either an IP flow
 * (key, bytes, TCP flags, ToS, IP version) or an "other" frame (bytes past the L2 header read), and
 * exactly which error counters move. The key's ifindex and direction are those of the hook it runs
 * through, filled in by the test.
 */
record ParserCase(String name, byte[] frame, ParserCase.Expect expect) {
  @Override
  public String toString() {
    return name;
  }

  /** What the programs must count for one frame. */
  static final class Expect {
    final boolean ip;
    final String src;
    final String dst;
    final int protocol;
    final int srcPort;
    final int dstPort;
    int vlan;
    Long bytes;
    int tcpFlags;
    int tos;
    final Set<Integer> errors = new TreeSet<>();

    private Expect(boolean ip, String src, String dst, int protocol, int srcPort, int dstPort) {
      this.ip = ip;
      this.src = src == null ? null : FlowgateUnderTest.canonical(src);
      this.dst = dst == null ? null : FlowgateUnderTest.canonical(dst);
      this.protocol = protocol;
      this.srcPort = srcPort;
      this.dstPort = dstPort;
    }

    /** An IP flow; bytes default to the frame's declared IP length. */
    static Expect flow(String src, String dst, int protocol, int srcPort, int dstPort) {
      return new Expect(true, src, dst, protocol, srcPort, dstPort);
    }

    /** An ICMP/ICMPv6 flow: src port 0, dst port type << 8 | code. */
    static Expect icmp(String src, String dst, int protocol, int type, int code) {
      return flow(src, dst, protocol, 0, (type << 8) | code);
    }

    /** A non-IP or unparseable frame counted in other_packets/other_bytes with {@code bytes}. */
    static Expect other(long bytes, int... errors) {
      Expect e = new Expect(false, null, null, 0, 0, 0);
      e.bytes = bytes;
      return e.errors(errors);
    }

    Expect vlan(int vid) {
      this.vlan = vid;
      return this;
    }

    Expect bytes(long n) {
      this.bytes = n;
      return this;
    }

    Expect tcpFlags(int flags) {
      this.tcpFlags = flags;
      return this;
    }

    Expect tos(int value) {
      this.tos = value;
      return this;
    }

    Expect errors(int... ids) {
      Arrays.stream(ids).forEach(errors::add);
      return this;
    }

    int ipVersion() {
      return src.contains(":") ? 6 : 4;
    }

    FlowKey key(int ifindex, int direction) {
      return new FlowKey(src, dst, srcPort, dstPort, ifindex, vlan, protocol, direction);
    }

    FlowCounters counters() {
      return new FlowCounters(1, bytes, tcpFlags, tos, ipVersion());
    }

    long[] errorCounts() {
      long[] out = new long[Layout.DP_ERROR_MAX];
      errors.forEach(e -> out[e]++);
      return out;
    }
  }
}
