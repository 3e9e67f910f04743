package dev.flowgate.controlplane.bench;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Puts {@link SyntheticDrain}'s flows into a half of a real kernel flow table from user space, one
 * map update per flow (not timed by the benchmarks), stamped with the kernel's current jiffies as
 * the programs would: into the half's slots (flow i in slot i) or into its spill map.
 */
final class TableFill {
  private TableFill() {}

  /** Flow i of {@code gen}'s drain order: its packed key and stats in gen's buffers. */
  @FunctionalInterface
  private interface FlowAt {
    void put(int index, int keyAt, int statsAt);
  }

  /** Flow i into slot i of {@code half}. */
  static void fill(FlowTable table, int half, SyntheticDrain gen, int sweep) {
    if (gen.flows() > table.halfSlots()) {
      throw new IllegalArgumentException(gen.flows() + " flows do not fit a half");
    }
    BpfMap map = table.map();
    long jiffies = table.clock().jiffies();
    long base = half * table.halfSlots();
    ByteBuffer k = direct(4);
    ByteBuffer slot = direct(Layout.FLOW_SLOT_SIZE);
    each(
        gen,
        sweep,
        (i, keyAt, statsAt) -> {
          slot.clear();
          slot.put(gen.keys.slice(keyAt, Layout.FLOW_KEY_SIZE));
          slot.putInt(Layout.SLOT_USED);
          slot.put(gen.values.slice(statsAt, Layout.FLOW_STATS_SIZE));
          slot.putLong(Layout.FLOW_SLOT_STATS + Layout.FLOW_STATS_FIRST_SEEN_NS, jiffies);
          slot.putLong(Layout.FLOW_SLOT_STATS + Layout.FLOW_STATS_LAST_SEEN_NS, jiffies);
          k.putInt(0, (int) (base + i));
          map.update(k, slot.clear(), BpfMap.BPF_ANY);
        });
  }

  /**
   * {@link #fill}, then counts each flow's packet into {@code totals} on the CPU whose slice holds
   * its slot, as the programs count every IP packet into the half they write: the sweeper reads
   * only the slices whose CPU's totals moved since it last emptied them ({@code SliceActivity}),
   * so slots written from user space without this would not be drained. And lists each slot in
   * its CPU's taken list of the half ({@code fg_taken}), as the insert path does: the sweeper
   * visits only the listed slots of a slice it emptied before.
   */
  static void fillAsPrograms(
      FlowTable table, BpfMap totals, int half, SyntheticDrain gen, int sweep) {
    fill(table, half, gen, sweep);
    BpfMap taken = table.takenMap();
    ByteBuffer tk = direct(4);
    ByteBuffer tv = direct(8);
    int words = table.takenListCapacity() + 1;
    for (int cpu = 0; cpu < table.cpus(); cpu++) {
      long first = (long) cpu * table.slotsPerCpu();
      long inSlice = Math.max(0, Math.min(gen.flows() - first, table.slotsPerCpu()));
      int region = (half * table.cpus() + cpu) * words;
      taken.lookup(tk.putInt(0, region), tv);
      long count = tv.getLong(0);
      for (long p = 0; p < inSlice; p++, count++) {
        if (count < words - 1) {
          taken.update(tk.putInt(0, (int) (region + 1 + count)), tv.putLong(0, p), BpfMap.BPF_ANY);
        }
      }
      taken.update(tk.putInt(0, region), tv.putLong(0, count), BpfMap.BPF_ANY);
    }
    ByteBuffer k = direct(4).putInt(0, Layout.totalsIndex(half, 0, 0));
    ByteBuffer v = direct(totals.valueBufferSize());
    int cpuStride = (totals.valueSize() + 7) & ~7;
    totals.lookup(k, v);
    for (int cpu = 0; cpu < table.cpus(); cpu++) {
      long first = (long) cpu * table.slotsPerCpu();
      long inSlice = Math.max(0, Math.min(gen.flows() - first, table.slotsPerCpu()));
      int at = cpu * cpuStride + Layout.IFACE_TOTALS_PACKETS;
      v.putLong(at, v.getLong(at) + inSlice);
    }
    totals.update(k, v, BpfMap.BPF_ANY);
  }

  /** Every flow into the spill map of {@code half} (a hash map: what the batch op drains). */
  static void fillSpill(FlowTable table, int half, SyntheticDrain gen, int sweep) {
    BpfMap map = table.spillMap(half);
    long jiffies = table.clock().jiffies();
    ByteBuffer k = direct(Layout.FLOW_KEY_SIZE);
    ByteBuffer v = direct(Layout.FLOW_STATS_SIZE);
    each(
        gen,
        sweep,
        (i, keyAt, statsAt) -> {
          k.clear();
          k.put(gen.keys.slice(keyAt, Layout.FLOW_KEY_SIZE)).flip();
          v.clear();
          v.put(gen.values.slice(statsAt, Layout.FLOW_STATS_SIZE)).flip();
          v.putLong(Layout.FLOW_STATS_FIRST_SEEN_NS, jiffies);
          v.putLong(Layout.FLOW_STATS_LAST_SEEN_NS, jiffies);
          map.update(k, v, BpfMap.BPF_ANY);
        });
  }

  /** A new drain order, then every flow, chunk by chunk as gen fills its buffers. */
  private static void each(SyntheticDrain gen, int sweep, FlowAt flow) {
    gen.shuffle();
    int chunk = gen.keys.capacity() / Layout.FLOW_KEY_SIZE;
    for (int from = 0; from < gen.flows(); from += chunk) {
      int m = Math.min(chunk, gen.flows() - from);
      gen.fill(from, m, sweep);
      for (int i = 0; i < m; i++) {
        flow.put(from + i, i * Layout.FLOW_KEY_SIZE, i * Layout.FLOW_STATS_SIZE);
      }
    }
  }

  private static ByteBuffer direct(int bytes) {
    return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }
}
