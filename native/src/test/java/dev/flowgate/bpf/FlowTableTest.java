package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.bpf.FlowgateUnderTest.FlowCounters;
import dev.flowgate.bpf.FlowgateUnderTest.FlowKey;
import dev.flowgate.lab.CpuPin;
import dev.flowgate.lab.Frames;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The kernel flow table through FlowTable: sizing, swap, drain through the mmap, overflow. */
@Tag("kernel")
@Timeout(120)
class FlowTableTest {
  private FlowgateUnderTest flowgate;
  private FlowTable table;

  @BeforeEach
  void load() {
    flowgate = FlowgateUnderTest.load(1024, null);
    table = flowgate.table();
  }

  @AfterEach
  void close() {
    if (flowgate != null) {
      flowgate.close();
    }
  }

  private static byte[] udp(int srcPort, int payload) {
    return Frames.ipv4("10.1.0.1", "10.2.0.2").udp(srcPort, 53).payload(payload).build().bytes();
  }

  /** Sends one frame of {@code flows} distinct UDP flows (source ports 1..flows) through fg_xdp. */
  private void oneFrameEach(int flows) {
    BpfProgram xdp = flowgate.program("fg_xdp");
    for (int i = 1; i <= flows; i++) {
      assertThat(xdp.testRun(udp(i, 10), 1).retval()).isEqualTo(BpfProgram.XDP_PASS);
    }
  }

  @Test
  void slotsPerCpuIsTheNextPowerOfTwoAndAtLeast1024() {
    assertThat(FlowTable.slotsPerCpu(1)).isEqualTo(1024);
    assertThat(FlowTable.slotsPerCpu(1024)).isEqualTo(1024);
    assertThat(FlowTable.slotsPerCpu(1025)).isEqualTo(2048);
    assertThat(FlowTable.slotsPerCpu(262_144)).isEqualTo(262_144);
    assertThat(FlowTable.slotsPerCpu(262_145)).isEqualTo(524_288);
    assertThatThrownBy(() -> FlowTable.slotsPerCpu(Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theTableHasTwoHalvesOfOneSlicePerPossibleCpu() {
    assertThat(table.cpus()).isEqualTo(NativeBpf.nrPossibleCpus());
    assertThat(table.slotsPerCpu()).isEqualTo(1024);
    assertThat(table.halfSlots()).isEqualTo(1024L * NativeBpf.nrPossibleCpus());
    assertThat(table.map().maxEntries()).isEqualTo(2 * 1024 * NativeBpf.nrPossibleCpus());
    assertThat(table.tickNs()).isBetween(1_000_000L, 10_000_000L); // HZ 100..1000
  }

  @Test
  void aDrainReturnsEveryFlowExactlyOnceAndEmptiesTheHalf() {
    oneFrameEach(500);
    int half = table.swap();
    assertThat(table.used(half)).isBetween(500, 500 * NativeBpf.nrPossibleCpus());

    ByteBuffer keys = NativeBpf.allocate(64 * Layout.FLOW_KEY_SIZE);
    ByteBuffer values = NativeBpf.allocate(64 * Layout.FLOW_STATS_SIZE);
    Set<Integer> ports = new HashSet<>();
    long packets = 0;
    long bytes = 0;
    int calls = 0;
    for (int n; (n = table.drain(half, keys, values)) > 0; calls++) {
      assertThat(n).isLessThanOrEqualTo(64);
      for (int i = 0; i < n; i++) {
        ports.add(Layout.flowKeySrcPort(keys, i * Layout.FLOW_KEY_SIZE));
        packets += Layout.flowStatsPackets(values, i * Layout.FLOW_STATS_SIZE);
        bytes += Layout.flowStatsBytes(values, i * Layout.FLOW_STATS_SIZE);
      }
    }
    assertThat(calls).isGreaterThanOrEqualTo(8);
    assertThat(ports).hasSize(500);
    assertThat(packets).isEqualTo(500);
    assertThat(bytes).isEqualTo(500L * (20 + 8 + 10));
    assertThat(table.used(half)).isZero();
    assertThat(table.drain(half, keys, values)).isZero(); // a new pass over an empty half
  }

  @Test
  void afterASwapTheProgramsWriteTheOtherHalf() {
    int before = table.current();
    oneFrameEach(3);
    assertThat(table.swap()).isEqualTo(before);
    assertThat(table.current()).isEqualTo(before ^ 1);
    oneFrameEach(2);
    assertThat(table.used(before)).isGreaterThanOrEqualTo(3);
    Map<FlowKey, FlowCounters> retired = flowgate.drain(before);
    assertThat(retired).hasSize(3);
    Map<FlowKey, FlowCounters> current = flowgate.flows();
    assertThat(current).hasSize(2);
    assertThat(current.values()).allSatisfy(c -> assertThat(c.packets()).isEqualTo(1));
  }

  @Test
  void copyLeavesTheSlotsInPlace() {
    oneFrameEach(10);
    assertThat(flowgate.flows()).hasSize(10);
    assertThat(flowgate.flows()).hasSize(10);
    assertThat(flowgate.sweep()).hasSize(10);
    assertThat(flowgate.flows()).isEmpty();
  }

  @Test
  void timesComeOutAsMonotonicNanosecondsOfThePacketsTick() {
    long before = System.nanoTime();
    flowgate.program("fg_xdp").testRun(udp(7, 10), 1);
    sleepMs(50);
    flowgate.program("fg_xdp").testRun(udp(7, 10), 1);
    long after = System.nanoTime();
    ByteBuffer keys = NativeBpf.allocate((int) table.capacity() * Layout.FLOW_KEY_SIZE);
    ByteBuffer values = NativeBpf.allocate((int) table.capacity() * Layout.FLOW_STATS_SIZE);
    int n = table.drain(table.swap(), keys, values);
    assertThat(n).isBetween(1, 2); // one entry per CPU the two runs happened on
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      first = Math.min(first, Layout.flowStatsFirstSeenNs(values, i * Layout.FLOW_STATS_SIZE));
      last = Math.max(last, Layout.flowStatsLastSeenNs(values, i * Layout.FLOW_STATS_SIZE));
    }
    // a jiffies time converts to the start of its tick: never after the packet, and less than a
    // tick before it plus the lateness of the timer interrupt that advanced jiffies (< a tick)
    assertThat(first).isBetween(before - 2 * table.tickNs(), after);
    assertThat(last).isBetween(first + 50_000_000L - 2 * table.tickNs(), after);
  }

  @Test
  void aJiffyConvertsToTheStartOfItsTickWhicheverClockConvertsIt() {
    JiffiesClock a = table.clock();
    long now = System.nanoTime();
    sleepMs(100);
    JiffiesClock b = table.clock();
    assertThat(b.jiffies() - a.jiffies()).isGreaterThanOrEqualTo(100_000_000L / table.tickNs() - 1);
    // ticks start on multiples of TICK_NSEC
    assertThat(a.monoNs() % table.tickNs()).isZero();
    assertThat(a.monoNs()).isBetween(now - 2 * table.tickNs(), now);
    // the same jiffy, the same ns, from either clock: no jitter from where in its tick a clock
    // pair was read
    assertThat(a.toMonoNs(b.jiffies())).isEqualTo(b.monoNs());
    assertThat(b.toMonoNs(a.jiffies())).isEqualTo(a.monoNs());
  }

  /** Marks every slot of {@code half} used by a flow of its own (ifindex 999,999 + slot). */
  private void fillEverySlot(int half) {
    BpfMap flows = flowgate.object().map(FlowTable.MAP);
    ByteBuffer key = NativeBpf.allocate(4);
    ByteBuffer slot = NativeBpf.allocate(Layout.FLOW_SLOT_SIZE);
    slot.putInt(Layout.FLOW_SLOT_STATE, Layout.SLOT_USED);
    slot.putLong(Layout.FLOW_SLOT_STATS + Layout.FLOW_STATS_PACKETS, 1);
    for (long i = 0; i < table.halfSlots(); i++) {
      int index = (int) (half * table.halfSlots() + i);
      slot.putInt(Layout.FLOW_SLOT_KEY + Layout.FLOW_KEY_IFINDEX, 999_999 + index);
      flows.update(key.putInt(0, index), slot, BpfMap.BPF_ANY);
    }
  }

  @Test
  void flowsWhoseSliceIsFullGoToTheSpillMapAndOnlyAFullSpillMapRefusesThem() {
    int half = table.current();
    fillEverySlot(half);
    int spill = table.spillEntries();
    oneFrameEach(spill + 50);
    oneFrameEach(10); // flows already in the spill map: counted there again

    FlowgateUnderTest.Totals t = flowgate.allTotals();
    assertThat(table.spilled(half)).isEqualTo(spill);
    assertThat(t.packets()).isEqualTo(spill + 60);
    assertThat(t.insertFailed()).isEqualTo(50);
    assertThat(t.insertFailedBytes()).isEqualTo(50L * (20 + 8 + 10));
    assertThat(flowgate.errors()[Layout.DP_FLOW_INSERT_FAILED]).isEqualTo(50);
    assertThat(flowgate.errors()[Layout.DP_FLOW_SPILLED]).isEqualTo(spill); // once per flow

    Map<FlowKey, FlowCounters> drained = flowgate.sweep();
    assertThat(drained).hasSize((int) table.halfSlots() + spill);
    long counted =
        drained.entrySet().stream()
            .filter(e -> e.getKey().ifindex() < 999_999)
            .mapToLong(e -> e.getValue().packets())
            .sum();
    assertThat(counted + t.insertFailed()).isEqualTo(t.packets());
    assertThat(table.used(half)).isZero();
    assertThat(table.spilled(half)).isZero();
  }

  @Test
  void aSliceOverfilledByRealFlowsSpillsTheRestAndRefusesNone() {
    // every run on CPU 0 (a test run executes on the CPU of the thread that asks for it): its
    // slice alone takes the flows, half again as many as it has slots, and what finds no slot in
    // its probe window goes to the spill map, which holds it all. Unpinned, the flows split over
    // whichever CPUs the scheduler used: how full a slice got would depend on the CPU count and
    // on luck, and a slice might never fill.
    int flows = table.slotsPerCpu() + table.spillEntries() / 2;
    int half = table.current();
    try (CpuPin pin = CpuPin.thisThreadTo(0)) {
      oneFrameEach(flows);
    }
    FlowgateUnderTest.Totals t = flowgate.allTotals();
    assertThat(t.insertFailed()).isZero();
    assertThat(table.used(half)).isEqualTo(flows);
    assertThat(table.spilled(half)).isBetween(flows - table.slotsPerCpu(), flows - 1);
    assertThat(flowgate.errors()[Layout.DP_FLOW_SPILLED]).isEqualTo(table.spilled(half));
    assertThat(flowgate.sweep().values().stream().mapToLong(FlowCounters::packets).sum())
        .isEqualTo(flows);
  }

  /** Every row of a copy of {@code half} by {@code t}, key and stats as hex, sorted. */
  private static List<String> rows(FlowTable t, int half) {
    ByteBuffer keys = NativeBpf.allocate((int) t.capacity() * Layout.FLOW_KEY_SIZE);
    ByteBuffer values = NativeBpf.allocate((int) t.capacity() * Layout.FLOW_STATS_SIZE);
    int n = t.copy(half, keys, values);
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] k = new byte[Layout.FLOW_KEY_SIZE];
      byte[] v = new byte[Layout.FLOW_STATS_SIZE];
      keys.get(i * Layout.FLOW_KEY_SIZE, k);
      values.get(i * Layout.FLOW_STATS_SIZE, v);
      rows.add(HexFormat.of().formatHex(k) + " " + HexFormat.of().formatHex(v));
    }
    rows.sort(null);
    return rows;
  }

  private static long packets(List<String> rows) {
    long sum = 0;
    for (String r : rows) {
      byte[] v = HexFormat.of().parseHex(r.substring(r.indexOf(' ') + 1));
      sum += ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong(Layout.FLOW_STATS_PACKETS);
    }
    return sum;
  }

  /** A view opened now has emptied nothing, so it reads every slice whole: the reference. */
  private List<String> fullScanRows(int half) {
    try (FlowTable full = FlowTable.open(flowgate.object())) {
      List<String> rows = rows(full, half);
      assertThat(full.sliceVisits()).containsExactly(0, table.cpus());
      return rows;
    }
  }

  @Test
  void aCopyThroughTheTakenListsEqualsTheFullScanAndTheirClearEmptiesTheHalf() {
    int half = table.current();
    table.clear(half); // every slice emptied and its list reset: the lists are trusted from now on
    try (CpuPin pin = CpuPin.thisThreadTo(0)) {
      oneFrameEach(100);
      oneFrameEach(100); // the same flows again: hits, nothing more listed
    }
    assertThat(table.swap()).isEqualTo(half);

    long[] before = table.sliceVisits();
    List<String> listed = rows(table, half);
    assertThat(table.sliceVisits()[0] - before[0]).isEqualTo(table.cpus());
    assertThat(table.sliceVisits()[1]).isEqualTo(before[1]);
    assertThat(listed).hasSize(100).isEqualTo(fullScanRows(half));
    assertThat(packets(listed)).isEqualTo(200);
    assertThat(table.clear(half)).isEqualTo(100);
    assertThat(table.used(half)).isZero();
  }

  /**
   * A chunked copy whose buffers hold fewer entries than a slice's list names (the sweep's
   * chunks of 16,384 against a list of up to slots/8): the slice is read window by window
   * instead, every row once. The list read used to fail the copy with ENOSPC, so every sweep of
   * a half that took 16,385 to slots/8 new flows on one CPU failed (SpoolCrashEndToEndTest, when
   * the machine was busy enough for a 500 ms sweep to see that many).
   */
  @Test
  void aChunkedCopyWithBuffersSmallerThanTheListReadsTheSliceWholeInChunks() {
    int half = table.current();
    table.clear(half);
    try (CpuPin pin = CpuPin.thisThreadTo(0)) {
      oneFrameEach(100);
    }
    assertThat(table.swap()).isEqualTo(half);

    int chunk = 16; // room for 16 entries: the list names 100
    ByteBuffer keys = NativeBpf.allocate(chunk * Layout.FLOW_KEY_SIZE);
    ByteBuffer values = NativeBpf.allocate(chunk * Layout.FLOW_STATS_SIZE);
    List<String> got = new ArrayList<>();
    long[] before = table.sliceVisits();
    int n =
        table.copy(
            half,
            null,
            keys,
            values,
            (k, v, m) -> {
              assertThat(m).isBetween(1, chunk);
              for (int i = 0; i < m; i++) {
                byte[] kb = new byte[Layout.FLOW_KEY_SIZE];
                byte[] vb = new byte[Layout.FLOW_STATS_SIZE];
                k.get(k.position() + i * Layout.FLOW_KEY_SIZE, kb);
                v.get(v.position() + i * Layout.FLOW_STATS_SIZE, vb);
                got.add(HexFormat.of().formatHex(kb) + " " + HexFormat.of().formatHex(vb));
              }
            });
    got.sort(null);
    assertThat(n).isEqualTo(100);
    assertThat(got).hasSize(100).isEqualTo(fullScanRows(half));
    assertThat(table.sliceVisits()[1] - before[1]).isEqualTo(1); // CPU 0's slice, read whole
    assertThat(table.clear(half)).isEqualTo(100); // through the list, still whole
    assertThat(table.used(half)).isZero();
  }

  @Test
  void aSliceWhoseTakenListOverflowedIsReadWholeAndExactlyThenListedAgain() {
    int half = table.current();
    table.clear(half);
    int flows = table.takenListCapacity() + 50;
    try (CpuPin pin = CpuPin.thisThreadTo(0)) {
      oneFrameEach(flows);
    }
    FlowgateUnderTest.Totals t = flowgate.allTotals();
    assertThat(table.swap()).isEqualTo(half);

    long[] before = table.sliceVisits();
    List<String> got = rows(table, half);
    assertThat(got).hasSize(flows).isEqualTo(fullScanRows(half));
    assertThat(table.sliceVisits()[1] - before[1]).isEqualTo(1); // CPU 0's slice, read whole
    assertThat(table.spilled(half)).isZero();
    assertThat(packets(got) + t.insertFailed()).isEqualTo(t.packets());
    assertThat(table.clear(half)).isEqualTo(flows);
    assertThat(table.used(half)).isZero();

    // the overflowed list was reset with its slice: the next interval of that half is listed
    table.swap();
    assertThat(table.current()).isEqualTo(half);
    try (CpuPin pin = CpuPin.thisThreadTo(0)) {
      oneFrameEach(10);
    }
    table.swap();
    before = table.sliceVisits();
    List<String> again = rows(table, half);
    assertThat(table.sliceVisits()[0] - before[0]).isEqualTo(table.cpus());
    assertThat(again).hasSize(10).isEqualTo(fullScanRows(half));
    assertThat(table.clear(half)).isEqualTo(10);
    assertThat(table.used(half)).isZero();
  }

  @Test
  void structuredKeysSpreadOverTheTable() {
    // keys that broke weaker hashes, at <= 15% of a slice: 6,400 IPv4 flows that differ only in
    // the last octet of both addresses (a multiply without a fold put them on a few hundred
    // positions), and 4,000 IPv6 flows whose source differs by the same bits in both of its
    // 8-byte words (an xor of two words cancels them out). All on CPU 0, in one slice: a hash
    // that spreads them finds each a free slot within its probe window, so none spills (with
    // clustering, the spill map would take the overflow and the counts alone would still add up)
    flowgate.close();
    flowgate = FlowgateUnderTest.load(65_536, null);
    table = flowgate.table();
    int half = table.current();
    BpfProgram xdp = flowgate.program("fg_xdp");
    try (CpuPin pin = CpuPin.thisThreadTo(0)) {
      for (int a = 0; a < 80; a++) {
        for (int b = 0; b < 80; b++) {
          xdp.testRun(
              Frames.ipv4("10.0.0." + a, "10.0.1." + b).udp(40000, 443).payload(0).build().bytes(),
              1);
        }
      }
      for (int k = 1; k <= 4000; k++) {
        String src = String.format("2001:db8:0:%x::%x", k, k);
        xdp.testRun(Frames.ipv6(src, "2001:db8::1").udp(40000, 443).payload(0).build().bytes(), 1);
      }
    }
    assertThat(flowgate.errors()[Layout.DP_FLOW_SPILLED]).isZero();
    assertThat(table.spilled(half)).isZero();
    assertThat(flowgate.allTotals().insertFailed()).isZero();
    assertThat(flowgate.sweep()).hasSize(10_400);
  }

  @Test
  void buffersMustBeDirect() {
    assertThatThrownBy(
            () ->
                table.drain(
                    0,
                    ByteBuffer.allocate(Layout.FLOW_KEY_SIZE),
                    NativeBpf.allocate(Layout.FLOW_STATS_SIZE)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                table.copy(
                    0,
                    NativeBpf.allocate(Layout.FLOW_KEY_SIZE),
                    NativeBpf.allocate(Layout.FLOW_STATS_SIZE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs room for");
  }

  private static void sleepMs(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
