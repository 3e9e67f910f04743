package dev.flowgate.controlplane.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.bpf.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Loading the real object with pins under a test's own pin path (needs root and bpffs). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DataplaneTest {
  private Path pins;

  @BeforeEach
  void pinPath() throws Exception {
    pins = Files.createTempDirectory(Path.of("/sys/fs/bpf"), "fg-dptest-");
  }

  @AfterEach
  void removePins() throws Exception {
    try (var paths = Files.walk(pins)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void aSecondLoadReusesThePinnedTable() {
    int id;
    try (Dataplane first = Dataplane.load(pins, 4096, Layout.DEFAULT_SNAP)) {
      id = first.flowTable().map().id();
      assertThat(first.flowCapacity()).isGreaterThanOrEqualTo(4096);
    }
    try (Dataplane second = Dataplane.load(pins, 4096, Layout.DEFAULT_SNAP)) {
      assertThat(second.flowTable().map().id()).isEqualTo(id);
    }
  }

  @Test
  void pinsOfAnotherMaxFlowsAreRefusedWithWhatToDo() {
    try (Dataplane first = Dataplane.load(pins, 4096, Layout.DEFAULT_SNAP)) {
      assertThat(first.maxFlows()).isEqualTo(4096);
    }
    assertThatThrownBy(() -> Dataplane.load(pins, 8192, Layout.DEFAULT_SNAP))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("flows.max-flows now 8192 on ")
        .hasMessageContaining("dataplane.keep-attached: false")
        .hasMessageContaining(pins.resolve(String.valueOf(Layout.SCHEMA_VERSION)).toString())
        .hasMessageContaining("fg_flows");
  }
}
