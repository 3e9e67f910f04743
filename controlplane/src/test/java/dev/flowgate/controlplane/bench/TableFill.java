package dev.flowgate.controlplane.bench;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Puts {@link SyntheticDrain}'s flows into a half of a real kernel flow table from user space, one
 * map update per slot (not timed by the benchmarks): flow i in slot i of the half, stamped with the
 * kernel's current jiffies as the programs would.
 */
final class TableFill {
  private TableFill() {}

  static void fill(FlowTable table, int half, SyntheticDrain gen, int sweep) {
    if (gen.flows() > table.halfSlots()) {
      throw new IllegalArgumentException(gen.flows() + " flows do not fit a half");
    }
    BpfMap map = table.map();
    long jiffies = table.clock().jiffies();
    gen.shuffle();
    ByteBuffer k = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer slot =
        ByteBuffer.allocateDirect(Layout.FLOW_SLOT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    int chunk = gen.keys.capacity() / Layout.FLOW_KEY_SIZE;
    long base = half * table.halfSlots();
    for (int from = 0; from < gen.flows(); from += chunk) {
      int m = Math.min(chunk, gen.flows() - from);
      gen.fill(from, m, sweep);
      for (int i = 0; i < m; i++) {
        slot.clear();
        slot.put(gen.keys.slice(i * Layout.FLOW_KEY_SIZE, Layout.FLOW_KEY_SIZE));
        slot.putInt(Layout.SLOT_USED);
        slot.put(gen.values.slice(i * Layout.FLOW_STATS_SIZE, Layout.FLOW_STATS_SIZE));
        slot.putLong(Layout.FLOW_SLOT_STATS + Layout.FLOW_STATS_FIRST_SEEN_NS, jiffies);
        slot.putLong(Layout.FLOW_SLOT_STATS + Layout.FLOW_STATS_LAST_SEEN_NS, jiffies);
        k.putInt(0, (int) (base + from + i));
        map.update(k, slot.clear(), BpfMap.BPF_ANY);
      }
    }
  }
}
