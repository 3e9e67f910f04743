package dev.flowgate.controlplane.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.metrics.TrafficBreakdown.Counts;
import dev.flowgate.controlplane.sweep.DrainedEntries;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.controlplane.sweep.TestFlowKey;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/**
 * The breakdown's cells from interval rows: interfaces interleaved row by row, two of them on the
 * same line of its small ifindex cache (2 and 18), each counted apart; only the rows appended are
 * tallied.
 */
class TrafficBreakdownTest {

  @Test
  void interleavedInterfacesSharingACacheLineAreCountedApart() {
    try (RootAllocator allocator = new RootAllocator();
        IntervalBatchBuilder batch = new IntervalBatchBuilder(allocator, 16)) {
      DrainedEntries d = new DrainedEntries(16);
      TestFlowKey tcp = TestFlowKey.v4("10.0.0.1", 1000, "192.0.2.1", 443, TestFlowKey.TCP);
      TestFlowKey udp6 = TestFlowKey.v6("2001:db8::1", 53, "2001:db8::2", 5353, TestFlowKey.UDP);
      TestFlowKey icmp = TestFlowKey.v4("10.0.0.2", 0, "192.0.2.2", 0, TestFlowKey.ICMP);
      d.add(tcp.on(2, 0), 1, 100, 1, 2, 0, 0);
      d.add(tcp.on(18, 0), 2, 200, 1, 2, 0, 0);
      d.add(udp6.on(2, 1), 4, 400, 1, 2, 0, 0);
      d.add(tcp.on(18, 0), 8, 800, 1, 2, 0, 0);
      d.add(icmp.on(3, 0), 16, 1600, 1, 2, 0, 0);
      d.add(tcp.on(2, 0), 32, 3200, 1, 2, 0, 0);
      d.keys().position(0);
      d.values().position(0);
      batch.append(d.keys(), d.values(), 6, 0);

      TrafficBreakdown breakdown = new TrafficBreakdown(ifindex -> "if" + ifindex);
      breakdown.add(batch.root(), 1, 5); // row 0 is not part of it
      breakdown.publish();
      Map<String, Counts> out = breakdown.published();

      assertThat(out.keySet()).containsExactlyInAnyOrder("if2", "if18", "if3");
      int tcpIn4 = Counts.cell(0, 0, 0);
      int udpOut6 = Counts.cell(1, 1, 1);
      int icmpIn4 = Counts.cell(0, 0, 2);
      assertThat(out.get("if2").packets()[tcpIn4]).isEqualTo(32);
      assertThat(out.get("if2").packets()[udpOut6]).isEqualTo(4);
      assertThat(out.get("if2").bytes()[udpOut6]).isEqualTo(400);
      assertThat(out.get("if18").packets()[tcpIn4]).isEqualTo(10);
      assertThat(out.get("if18").bytes()[tcpIn4]).isEqualTo(1000);
      assertThat(out.get("if3").packets()[icmpIn4]).isEqualTo(16);
      long all = 0;
      for (Counts c : out.values()) {
        for (long p : c.packets()) {
          all += p;
        }
      }
      assertThat(all).isEqualTo(2 + 4 + 8 + 16 + 32);
    }
  }
}
