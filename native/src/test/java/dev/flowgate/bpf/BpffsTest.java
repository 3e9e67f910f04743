package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.lab.Command;
import dev.flowgate.lab.Lab;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A pin path off bpffs: mounted by root outside systemd, refused with what to do otherwise. */
@Tag("kernel")
class BpffsTest {
  private Lab lab;
  private Path pins;

  @BeforeEach
  void setUp() {
    lab = Lab.open();
    pins = lab.tempDir().resolve("pins"); // under /tmp: not a bpffs
  }

  @AfterEach
  void tearDown() {
    lab.close();
  }

  @Test
  void rootOutsideSystemdMountsABpffsOnThePinPath() {
    assertThat(Bpffs.isBpffs(pins)).isFalse();
    assertThat(Bpffs.ensure(pins, Map.of(), true)).contains(pins);
    lab.onClose("umount " + pins, () -> Command.check("umount", pins.toString()));
    assertThat(Bpffs.isBpffs(pins)).isTrue();
    assertThat(Bpffs.isBpffs(pins.resolve("3/maps"))).isTrue();
    // a second start finds it mounted
    assertThat(Bpffs.ensure(pins, Map.of(), true)).isEmpty();
  }

  @Test
  void underSystemdItRefusesWithOneLineNamingTheUnitsStep() {
    assertThatThrownBy(() -> Bpffs.ensure(pins, Map.of("INVOCATION_ID", "x"), true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is not on a bpffs")
        .hasMessageContaining("ExecStartPre")
        .hasMessageNotContaining("\n");
    assertThat(Bpffs.isBpffs(pins)).isFalse();
  }

  @Test
  void withoutRootItRefusesWithTheMountCommand() {
    assertThatThrownBy(() -> Bpffs.ensure(pins, Map.of(), false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("mount -t bpf bpf " + pins)
        .hasMessageNotContaining("\n");
  }

  @Test
  void thePinPathUnderTheDefaultMountIsOnBpffsHere() {
    Lab.ensureBpffs();
    assertThat(Bpffs.ensure(Lab.BPFFS.resolve("fg-none-such"), Map.of(), false)).isEmpty();
  }
}
