package dev.flowgate.controlplane.security;

/**
 * The Linux capabilities flowgate needs (capabilities(7)), with their bit numbers in the {@code
 * CapEff} mask of {@code /proc/<pid>/status}.
 */
public enum Capability {
  /** CAP_NET_ADMIN (12): attach XDP and TC programs, clsact qdiscs, netlink link changes. */
  CAP_NET_ADMIN(12),
  /** CAP_SYS_ADMIN (21): implies CAP_BPF and CAP_PERFMON on kernels that predate them. */
  CAP_SYS_ADMIN(21),
  /** CAP_PERFMON (38): what the verifier requires of programs that read time and pointers. */
  CAP_PERFMON(38),
  /** CAP_BPF (39): load programs, create, pin and read maps. */
  CAP_BPF(39);

  private final int bit;

  Capability(int bit) {
    this.bit = bit;
  }

  /** The bit number in a capability mask. */
  public int bit() {
    return bit;
  }

  /** True if {@code mask} (e.g. the CapEff value) holds this capability. */
  public boolean in(long mask) {
    return (mask & (1L << bit)) != 0;
  }
}
