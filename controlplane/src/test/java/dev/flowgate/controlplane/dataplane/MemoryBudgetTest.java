package dev.flowgate.controlplane.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.config.ConfigLoader;
import dev.flowgate.controlplane.config.FlowgateConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a config can take at most, and the refusal of what does not fit. */
class MemoryBudgetTest {

  private static final long GIB = 1L << 30;
  private static final long HEAP = 96L << 20;

  @Test
  void theDefaultConfigFitsA64CpuHostWith4GiB() throws Exception {
    FlowgateConfig config = ConfigLoader.parse("interfaces:\n  - name: eth0\n", "t.yaml");
    MemoryBudget budget = MemoryBudget.of(config, 64, HEAP);

    assertThat(budget.total()).isLessThan(GIB);
    budget.check(4 * GIB); // no exception
  }

  @Test
  void maxFlowsIsATotalSharedOverTheCpus() {
    assertThat(FlowTable.flowsPerCpu(262_144, 1)).isEqualTo(262_144);
    assertThat(FlowTable.flowsPerCpu(262_144, 2)).isEqualTo(262_144);
    assertThat(FlowTable.flowsPerCpu(262_144, 64)).isEqualTo(8_192);
    assertThat(FlowTable.flowsPerCpu(1_000, 3)).isEqualTo(667);
    // on 64 CPUs the default table is 2 x 64 x 8,192 slots of Layout.FLOW_SLOT_SIZE bytes, plus the
    // spill maps
    long slots = 2L * 64 * 8_192 * Layout.FLOW_SLOT_SIZE;
    assertThat(FlowTable.kernelBytes(8_192, 64)).isBetween(slots, slots + 40_000_000L);
  }

  @Test
  void aConfigAboveWhatIsAvailableIsRefusedWithEachPart() throws Exception {
    FlowgateConfig config =
        ConfigLoader.parse(
            "interfaces:\n  - name: eth0\nflows:\n  max-flows: 16777216\n", "t.yaml");
    MemoryBudget budget = MemoryBudget.of(config, 64, HEAP);

    assertThatThrownBy(() -> budget.check(4 * GIB))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kernel flow table")
        .hasMessageContaining("flow cache")
        .hasMessageContaining("lower flows.max-flows");
  }

  @Test
  void memAvailableIsReadFromMeminfo(@TempDir Path dir) throws Exception {
    Path meminfo = dir.resolve("meminfo");
    Files.writeString(meminfo, "MemTotal: 24000000 kB\nMemAvailable:   1048576 kB\n");

    assertThat(MemoryBudget.memAvailable(meminfo)).hasValue(GIB);
    assertThat(MemoryBudget.available()).isPresent();
  }
}
