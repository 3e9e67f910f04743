package dev.flowgate.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class ProcessCapabilitiesTest {
  private static long mask(Capability... caps) {
    long m = 0;
    for (Capability c : caps) {
      m |= 1L << c.bit();
    }
    return m;
  }

  @Test
  void namesExactlyTheMissingCapability() {
    ProcessCapabilities p =
        ProcessCapabilities.of(mask(Capability.CAP_NET_ADMIN, Capability.CAP_PERFMON));
    assertThat(p.missing()).containsExactly(Capability.CAP_BPF);
    assertThat(p.permissionHint())
        .isEqualTo(
            "missing capability CAP_BPF (flowgate needs"
                + " CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)");
  }

  @Test
  void namesEveryMissingCapabilityInOrder() {
    assertThat(ProcessCapabilities.of(0).permissionHint())
        .startsWith("missing capabilities CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON (");
  }

  @Test
  void sysAdminStandsInForBpfAndPerfmonButNotNetAdmin() {
    ProcessCapabilities p = ProcessCapabilities.of(mask(Capability.CAP_SYS_ADMIN));
    assertThat(p.missing()).containsExactly(Capability.CAP_NET_ADMIN);
  }

  @Test
  void allHeldSaysToLookElsewhere() {
    ProcessCapabilities p =
        ProcessCapabilities.of(
            mask(Capability.CAP_BPF, Capability.CAP_NET_ADMIN, Capability.CAP_PERFMON));
    assertThat(p.missing()).isEmpty();
    assertThat(p.permissionHint()).contains("although").contains("lockdown");
  }

  @Test
  @Tag("kernel") // root: it checks the capabilities a root process holds
  void readsThisProcessCapabilities() {
    // the tests run as root: everything is held
    assertThat(ProcessCapabilities.readEffectiveMask()).isPresent();
    assertThat(
            ProcessCapabilities.of(ProcessCapabilities.readEffectiveMask().getAsLong()).missing())
        .isEmpty();
  }
}
