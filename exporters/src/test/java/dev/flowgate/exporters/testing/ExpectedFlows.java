package dev.flowgate.exporters.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks what a collector decoded against the flows a test exported. */
public final class ExpectedFlows {

  private ExpectedFlows() {}

  /** nfdump's key for a record: protocol, addresses, source port or ICMP type/code. */
  public static String key(TestFlow f) {
    String l4 =
        f.icmp() ? "icmp" + f.icmpType() + "/" + f.icmpCode() : Integer.toString(f.srcPort());
    return f.protocol() + " " + canonical(f.src()) + " " + canonical(f.dst()) + " " + l4;
  }

  public static String nfdumpKey(JsonNode r) {
    int proto = r.get("proto").asInt();
    String src = r.has("src4_addr") ? r.get("src4_addr").asText() : r.get("src6_addr").asText();
    String dst = r.has("dst4_addr") ? r.get("dst4_addr").asText() : r.get("dst6_addr").asText();
    String l4 =
        r.has("icmp_type")
            ? "icmp" + r.get("icmp_type").asInt() + "/" + r.get("icmp_code").asInt()
            : Integer.toString(r.get("src_port").asInt());
    return proto + " " + canonical(src) + " " + canonical(dst) + " " + l4;
  }

  /** nfdump's 8-character TCP flags: CWR ECE URG ACK PSH RST SYN FIN, '.' when clear. */
  public static String nfdumpFlags(int flags) {
    String names = "CEUAPRSF";
    StringBuilder sb = new StringBuilder();
    for (int bit = 7; bit >= 0; bit--) {
      sb.append((flags & (1 << bit)) != 0 ? names.charAt(7 - bit) : '.');
    }
    return sb.toString();
  }

  /** nfdump's local-time rendering of an epoch millisecond. */
  public static String nfdumpTime(long millis) {
    return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneId.systemDefault())
        .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS"));
  }

  public static String canonical(String address) {
    try {
      return InetAddress.getByName(address).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(address, e);
    }
  }

  /**
   * Asserts that nfdump decoded every flow exactly once (v5: its parts add up) with exact packets,
   * bytes, ports, protocol, ICMP type/code, TCP flags, times, and VLAN where the format has it.
   * IPv6 flows are expected only if {@code ipv6}.
   */
  public static void assertNfdump(
      List<JsonNode> records, List<TestFlow> flows, boolean ipv6, boolean vlan) {
    Map<String, long[]> sums = new HashMap<>(); // key -> packets, bytes, records
    Map<String, JsonNode> byKey = new HashMap<>();
    for (JsonNode r : records) {
      String k = nfdumpKey(r);
      long[] s = sums.computeIfAbsent(k, x -> new long[3]);
      s[0] += r.get("in_packets").asLong();
      s[1] += r.get("in_bytes").asLong();
      s[2]++;
      byKey.put(k, r);
    }
    int expected = 0;
    for (TestFlow f : flows) {
      if (!f.ipv4() && !ipv6) {
        assertThat(sums).as("v5 carries no IPv6").doesNotContainKey(key(f));
        continue;
      }
      expected++;
      String k = key(f);
      assertThat(sums).as("flow %s decoded", k).containsKey(k);
      long[] s = sums.get(k);
      assertThat(s[0]).as("packets of %s", k).isEqualTo(f.packets());
      assertThat(s[1]).as("bytes of %s", k).isEqualTo(f.bytes());
      JsonNode r = byKey.get(k);
      assertThat(r.get("proto").asInt()).isEqualTo(f.protocol());
      if (f.icmp()) {
        assertThat(r.get("icmp_type").asInt()).as("ICMP type of %s", k).isEqualTo(f.icmpType());
        assertThat(r.get("icmp_code").asInt()).as("ICMP code of %s", k).isEqualTo(f.icmpCode());
      } else {
        assertThat(r.get("src_port").asInt()).isEqualTo(f.srcPort());
        assertThat(r.get("dst_port").asInt()).as("dst port of %s", k).isEqualTo(f.dstPort());
        assertThat(r.get("tcp_flags").asText())
            .as("flags of %s", k)
            .isEqualTo(nfdumpFlags(f.tcpFlags()));
      }
      assertThat(r.get("src_tos").asInt()).isEqualTo(f.tos());
      assertThat(r.get("first").asText())
          .as("start of %s", k)
          .isEqualTo(nfdumpTime(f.startMillis()));
      assertThat(r.get("last").asText()).as("end of %s", k).isEqualTo(nfdumpTime(f.endMillis()));
      assertThat(r.get(f.direction() == 0 ? "input_snmp" : "output_snmp").asLong())
          .isEqualTo(f.ifindex());
      if (vlan) {
        assertThat(r.get("src_vlan").asInt()).as("VLAN of %s", k).isEqualTo(f.vlanId());
      }
    }
    assertThat(sums).as("no other flows").hasSize(expected);
  }
}
