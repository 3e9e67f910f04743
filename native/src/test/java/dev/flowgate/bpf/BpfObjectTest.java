package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.lab.Lab;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class BpfObjectTest {
  private static final int BPF_F_MMAPABLE = 1 << 10;
  private final Lab lab = Lab.open();

  @AfterEach
  void cleanUp() {
    lab.close();
  }

  @Test
  void realObjectLoadsWithEveryMapOfTheContract() {
    try (BpfObject obj = TestObjects.openFlowgate(4096)) {
      obj.load();
      assertThat(obj.programNames()).contains("fg_xdp", "fg_tc_ingress", "fg_tc_egress");
      assertThat(obj.program("fg_xdp").type()).isEqualTo(BpfProgram.TYPE_XDP);
      assertThat(obj.program("fg_tc_ingress").type()).isEqualTo(BpfProgram.TYPE_SCHED_CLS);
      assertThat(obj.program("fg_tc_egress").type()).isEqualTo(BpfProgram.TYPE_SCHED_CLS);

      assertThat(obj.program(FlowTable.CLOCK_PROGRAM).type()).isEqualTo(BpfProgram.TYPE_XDP);

      BpfMap flows = obj.map(FlowTable.MAP);
      assertThat(flows.type()).isEqualTo(BpfMap.TYPE_ARRAY);
      assertThat(flows.flags() & BPF_F_MMAPABLE).isEqualTo(BPF_F_MMAPABLE);
      assertThat(flows.valueSize()).isEqualTo(Layout.FLOW_SLOT_SIZE);
      assertThat(flows.maxEntries()).isEqualTo(2 * NativeBpf.nrPossibleCpus() * 4096);
      BpfMap gen = obj.map(FlowTable.GEN_MAP);
      assertThat(gen.type()).isEqualTo(BpfMap.TYPE_ARRAY);
      assertThat(gen.maxEntries()).isEqualTo(1);
      BpfMap barrier = obj.map(FlowTable.BARRIER_MAP);
      assertThat(barrier.type()).isEqualTo(BpfMap.TYPE_ARRAY_OF_MAPS);
      assertThat(barrier.maxEntries()).isEqualTo(1);
      assertThat(barrier.innerMapId(0)).isEqualTo(obj.map(FlowTable.BARRIER_INNER_MAP).id());
      BpfMap clock = obj.map(FlowTable.CLOCK_MAP);
      assertThat(clock.type()).isEqualTo(BpfMap.TYPE_ARRAY);
      assertThat(clock.valueSize()).isEqualTo(Layout.FG_CLOCK_SIZE);

      BpfMap totals = obj.map("fg_totals");
      assertThat(totals.type()).isEqualTo(BpfMap.TYPE_PERCPU_ARRAY);
      assertThat(totals.valueSize()).isEqualTo(Layout.IFACE_TOTALS_SIZE);
      assertThat(totals.maxEntries()).isEqualTo(2 * Layout.TOTALS_PER_HALF);
      assertThat(totals.valueBufferSize())
          .isEqualTo(NativeBpf.nrPossibleCpus() * Layout.IFACE_TOTALS_SIZE);

      BpfMap errors = obj.map("fg_errors");
      assertThat(errors.type()).isEqualTo(BpfMap.TYPE_PERCPU_ARRAY);
      assertThat(errors.valueSize()).isEqualTo(8);
      assertThat(errors.maxEntries()).isEqualTo(Layout.DP_ERROR_MAX);

      BpfMap settings = obj.map("fg_settings");
      assertThat(settings.type()).isEqualTo(BpfMap.TYPE_ARRAY);
      assertThat(settings.keySize()).isEqualTo(4);
      assertThat(settings.valueSize()).isEqualTo(Layout.IFACE_SETTINGS_SIZE);
      assertThat(settings.maxEntries()).isEqualTo(Layout.SETTINGS_DIRECT);
      BpfMap far = obj.map("fg_settings_far");
      assertThat(far.type()).isEqualTo(BpfMap.TYPE_HASH);
      assertThat(far.valueSize()).isEqualTo(Layout.IFACE_SETTINGS_SIZE);

      assertThat(obj.map("fg_samples").type()).isEqualTo(BpfMap.TYPE_RINGBUF);
    }
  }

  @Test
  void globalsAndCapacitiesAreSetBeforeLoad() {
    try (BpfObject obj = BpfObject.open(TestObjects.test("t_counter"))) {
      obj.setGlobal("t_answer", 42);
      obj.setMaxEntries("t_flows_a", 2048);
      obj.load();
      assertThat(obj.map("t_flows_a").maxEntries()).isEqualTo(2048);
      assertThat(obj.map("t_flows_b").maxEntries()).isEqualTo(1024);

      // the program stores t_answer as loaded into t_counts[1]
      obj.program("t_xdp").testRun(new byte[64], 1);
      BpfMap counts = obj.map("t_counts");
      ByteBuffer key = NativeBpf.allocate(4).putInt(0, 1);
      ByteBuffer value = NativeBpf.allocate(counts.valueBufferSize());
      assertThat(counts.lookup(key, value)).isTrue();
      long max = 0;
      for (int cpu = 0; cpu < NativeBpf.nrPossibleCpus(); cpu++) {
        max = Math.max(max, value.getLong(cpu * 8));
      }
      assertThat(max).isEqualTo(42);
    }
  }

  @Test
  void theFlowMapCapacityAlsoSizesTheSlotTemplate() {
    // a 2048-entry map fits the outer map only if the template agrees (kernel checks)
    try (BpfObject obj = BpfObject.open(TestObjects.test("t_counter"))) {
      obj.setMaxEntries("t_flows_a", 2048);
      obj.setMaxEntries("t_flows_b", 2048);
      obj.load();
      obj.map("t_slot").setInnerMap(0, obj.map("t_flows_b"));
      assertThat(obj.map("t_slot").innerMapId(0)).isEqualTo(obj.map("t_flows_b").id());
    }
  }

  @Test
  void verifierRejectionCarriesTheVerifierLog() {
    try (BpfObject obj = BpfObject.open(TestObjects.test("t_broken"))) {
      assertThatThrownBy(obj::load)
          .isInstanceOfSatisfying(
              BpfException.class,
              e -> {
                assertThat(e.errno()).isEqualTo(13); // EACCES: the verifier said no
                assertThat(e.op()).contains("t_broken.bpf.o");
                assertThat(e.detail()).contains("invalid access to packet");
                assertThat(e.getMessage()).contains("invalid access to packet");
              });
    }
  }

  @Test
  void unknownNamesAreEnoent() {
    try (BpfObject obj = BpfObject.open(TestObjects.test("t_counter"))) {
      assertThatThrownBy(() -> obj.setMaxEntries("nope", 1))
          .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.errno()).isEqualTo(2));
      assertThatThrownBy(() -> obj.setGlobal("nope", 1))
          .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.errno()).isEqualTo(2));
      obj.load();
      assertThatThrownBy(() -> obj.map("nope"))
          .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.errno()).isEqualTo(2));
      assertThatThrownBy(() -> obj.program("nope"))
          .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.errno()).isEqualTo(2));
    }
  }

  @Test
  void aFileThatIsNotBpfFailsToOpen() throws Exception {
    Path junk = lab.tempDir().resolve("junk.o");
    Files.writeString(junk, "not an ELF file");
    assertThatThrownBy(() -> BpfObject.open(junk)).isInstanceOf(BpfException.class);
  }

  @Test
  void pinnedMapsAreReusedByTheNextLoad() {
    Path pins = lab.pinDir().resolve("maps");
    int flowsId;
    try (BpfObject first = TestObjects.openFlowgate(4096)) {
      first.pinMapsUnder(pins);
      first.load();
      flowsId = first.map(FlowTable.MAP).id();
      ByteBuffer key = NativeBpf.allocate(4).putInt(0, 77);
      ByteBuffer value = NativeBpf.allocate(Layout.FLOW_SLOT_SIZE);
      value.putInt(Layout.FLOW_SLOT_STATE, Layout.SLOT_USED);
      value.putLong(Layout.FLOW_SLOT_STATS + Layout.FLOW_STATS_PACKETS, 5);
      first.map(FlowTable.MAP).update(key, value, BpfMap.BPF_ANY);
    }
    assertThat(pins.resolve(FlowTable.MAP)).exists();
    assertThat(pins.resolve(FlowTable.GEN_MAP)).exists();
    assertThat(pins.resolve(FlowTable.BARRIER_MAP)).exists();
    try (BpfObject second = TestObjects.openFlowgate(4096);
        BpfMap pinned = BpfMap.openPinned(pins.resolve(FlowTable.MAP))) {
      second.pinMapsUnder(pins);
      second.load();
      assertThat(second.map(FlowTable.MAP).id()).isEqualTo(flowsId);
      assertThat(pinned.id()).isEqualTo(flowsId);
      ByteBuffer key = NativeBpf.allocate(4).putInt(0, 77);
      ByteBuffer value = NativeBpf.allocate(Layout.FLOW_SLOT_SIZE);
      assertThat(pinned.lookup(key, value)).isTrue();
      assertThat(value.getLong(Layout.FLOW_SLOT_STATS + Layout.FLOW_STATS_PACKETS)).isEqualTo(5);
    }
  }

  @Test
  void configurationAfterLoadIsRefused() {
    try (BpfObject obj = BpfObject.open(TestObjects.test("t_counter"))) {
      obj.load();
      assertThatThrownBy(() -> obj.setMaxEntries("t_flows_a", 1))
          .isInstanceOf(IllegalStateException.class);
    }
  }
}
