package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("kernel")
@Timeout(120)
class BpfMapTest {
  private static final int FLOWS = 10_000;
  private static final int CAPACITY = 16_384;

  private BpfObject obj;
  private BpfObject counter;
  private BpfMap flows;

  /** The batch ops on t_counter's LRU flow maps; single elements and per-CPU maps on flowgate's. */
  @BeforeEach
  void load() {
    obj = TestObjects.openFlowgate(1024);
    obj.load();
    counter = BpfObject.open(TestObjects.test("t_counter"));
    counter.setMaxEntries("t_flows_a", CAPACITY);
    counter.setMaxEntries("t_flows_b", CAPACITY);
    counter.load();
    flows = counter.map("t_flows_a");
  }

  @AfterEach
  void close() {
    if (counter != null) {
      counter.close();
    }
    if (obj != null) {
      obj.close();
    }
  }

  /** Flow i: ifindex i+1, src_port i & 0xffff, packets i+1, bytes 100*(i+1). */
  private void fill(int n) {
    ByteBuffer key = NativeBpf.allocate(Layout.FLOW_KEY_SIZE);
    ByteBuffer value = NativeBpf.allocate(Layout.FLOW_STATS_SIZE);
    for (int i = 0; i < n; i++) {
      key.putInt(Layout.FLOW_KEY_IFINDEX, i + 1).putShort(Layout.FLOW_KEY_SRC_PORT, (short) i);
      value
          .putLong(Layout.FLOW_STATS_PACKETS, i + 1)
          .putLong(Layout.FLOW_STATS_BYTES, 100L * (i + 1));
      flows.update(key, value, BpfMap.BPF_NOEXIST);
    }
  }

  private int count(BpfMap map) {
    ByteBuffer keys = NativeBpf.allocate(map.maxEntries() * map.keySize());
    ByteBuffer values = NativeBpf.allocate(map.maxEntries() * map.valueBufferSize());
    return map.lookupBatch(keys, values);
  }

  @Test
  void oneCallDrainsTenThousandFlowsExactlyAndLeavesTheMapEmpty() {
    fill(FLOWS);
    assertThat(count(flows)).isEqualTo(FLOWS);

    ByteBuffer keys = NativeBpf.allocate(CAPACITY * Layout.FLOW_KEY_SIZE);
    ByteBuffer values = NativeBpf.allocate(CAPACITY * Layout.FLOW_STATS_SIZE);
    int n = flows.lookupAndDeleteBatch(keys, values);

    assertThat(n).isEqualTo(FLOWS);
    Set<Integer> seen = new HashSet<>();
    long packets = 0;
    for (int i = 0; i < n; i++) {
      int ifindex = Layout.flowKeyIfindex(keys, i * Layout.FLOW_KEY_SIZE);
      long p = Layout.flowStatsPackets(values, i * Layout.FLOW_STATS_SIZE);
      assertThat(p).isEqualTo(ifindex);
      assertThat(Layout.flowStatsBytes(values, i * Layout.FLOW_STATS_SIZE)).isEqualTo(100L * p);
      assertThat(Layout.flowKeySrcPort(keys, i * Layout.FLOW_KEY_SIZE))
          .isEqualTo((ifindex - 1) & 0xffff);
      seen.add(ifindex);
      packets += p;
    }
    assertThat(seen).hasSize(FLOWS);
    assertThat(packets).isEqualTo((long) FLOWS * (FLOWS + 1) / 2);
    assertThat(count(flows)).isZero();
    assertThat(flows.lookupAndDeleteBatch(keys, values)).isZero();
  }

  @Test
  void smallBuffersDrainInSeveralCallsWithoutLosingOrRepeatingAnEntry() {
    fill(FLOWS);
    ByteBuffer keys = NativeBpf.allocate(1000 * Layout.FLOW_KEY_SIZE);
    ByteBuffer values = NativeBpf.allocate(1000 * Layout.FLOW_STATS_SIZE);
    Set<Integer> seen = new HashSet<>();
    int calls = 0;
    int n;
    while ((n = flows.lookupAndDeleteBatch(keys, values)) > 0) {
      calls++;
      assertThat(n).isLessThanOrEqualTo(1000);
      for (int i = 0; i < n; i++) {
        assertThat(seen.add(Layout.flowKeyIfindex(keys, i * Layout.FLOW_KEY_SIZE))).isTrue();
      }
    }
    assertThat(seen).hasSize(FLOWS);
    assertThat(calls).isGreaterThanOrEqualTo(10);
    assertThat(count(flows)).isZero();
  }

  @Test
  void drainingWritesAtTheBuffersPositions() {
    fill(3);
    ByteBuffer keys = NativeBpf.allocate(8 + 3 * Layout.FLOW_KEY_SIZE).position(8);
    ByteBuffer values = NativeBpf.allocate(16 + 3 * Layout.FLOW_STATS_SIZE).position(16);
    assertThat(flows.lookupAndDeleteBatch(keys, values)).isEqualTo(3);
    assertThat(keys.position()).isEqualTo(8);
    long packets = 0;
    for (int i = 0; i < 3; i++) {
      packets += Layout.flowStatsPackets(values, 16 + i * Layout.FLOW_STATS_SIZE);
    }
    assertThat(packets).isEqualTo(1 + 2 + 3);
  }

  @Test
  void swappingTheSlotPointsTheProgramsAtTheOtherMap() {
    BpfMap slot = counter.map("t_slot");
    BpfMap a = counter.map("t_flows_a");
    BpfMap b = counter.map("t_flows_b");
    assertThat(slot.innerMapId(0)).isEqualTo(a.id());

    slot.setInnerMap(0, b);
    assertThat(slot.innerMapId(0)).isEqualTo(b.id());
    try (BpfMap current = BpfMap.openById(slot.innerMapId(0))) {
      assertThat(current.id()).isEqualTo(b.id());
      assertThat(current.maxEntries()).isEqualTo(CAPACITY);
    }

    slot.setInnerMap(0, a);
    assertThat(slot.innerMapId(0)).isEqualTo(a.id());
  }

  @Test
  void singleElementsAreLookedUpUpdatedAndDeleted() {
    BpfMap settings = obj.map("fg_settings_far");
    ByteBuffer key = NativeBpf.allocate(4).putInt(0, Layout.SETTINGS_DIRECT + 7);
    ByteBuffer value = NativeBpf.allocate(Layout.IFACE_SETTINGS_SIZE);
    assertThat(settings.lookup(key, value)).isFalse();

    Layout.putIfaceSettings(value, 0, 3, 1000);
    settings.update(key, value, BpfMap.BPF_NOEXIST);
    assertThatThrownBy(() -> settings.update(key, value, BpfMap.BPF_NOEXIST))
        .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.errno()).isEqualTo(17));

    ByteBuffer read = NativeBpf.allocate(Layout.IFACE_SETTINGS_SIZE);
    assertThat(settings.lookup(key, read)).isTrue();
    assertThat(read.getInt(Layout.IFACE_SETTINGS_SLOT)).isEqualTo(3);
    assertThat(read.getInt(Layout.IFACE_SETTINGS_SAMPLE_RATE)).isEqualTo(1000);

    assertThat(settings.delete(key)).isTrue();
    assertThat(settings.delete(key)).isFalse();
  }

  @Test
  void perCpuValuesAreOneSlotPerPossibleCpu() {
    BpfMap totals = obj.map("fg_totals");
    int cpus = NativeBpf.nrPossibleCpus();
    ByteBuffer key = NativeBpf.allocate(4).putInt(0, 5);
    ByteBuffer value = NativeBpf.allocate(totals.valueBufferSize());
    for (int cpu = 0; cpu < cpus; cpu++) {
      value.putLong(cpu * Layout.IFACE_TOTALS_SIZE + Layout.IFACE_TOTALS_PACKETS, cpu + 1);
    }
    totals.update(key, value, BpfMap.BPF_ANY);

    ByteBuffer read = NativeBpf.allocate(totals.valueBufferSize());
    assertThat(totals.lookup(key, read)).isTrue();
    assertThat(Layout.sumPerCpu(read, 0, totals.valueSize(), Layout.IFACE_TOTALS_PACKETS))
        .isEqualTo((long) cpus * (cpus + 1) / 2);

    // the whole array in one batch read
    ByteBuffer keys = NativeBpf.allocate(totals.maxEntries() * 4);
    ByteBuffer values = NativeBpf.allocate(totals.maxEntries() * totals.valueBufferSize());
    assertThat(totals.lookupBatch(keys, values)).isEqualTo(totals.maxEntries());
    assertThat(keys.getInt(5 * 4)).isEqualTo(5);
    assertThat(
            Layout.sumPerCpu(
                values,
                5 * totals.valueBufferSize(),
                totals.valueSize(),
                Layout.IFACE_TOTALS_PACKETS))
        .isEqualTo((long) cpus * (cpus + 1) / 2);
  }

  @Test
  void heapBuffersAndShortBuffersAreRefused() {
    assertThatThrownBy(
            () ->
                flows.lookup(
                    java.nio.ByteBuffer.allocate(Layout.FLOW_KEY_SIZE),
                    NativeBpf.allocate(Layout.FLOW_STATS_SIZE)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                flows.lookup(
                    NativeBpf.allocate(Layout.FLOW_KEY_SIZE - 1),
                    NativeBpf.allocate(Layout.FLOW_STATS_SIZE)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
