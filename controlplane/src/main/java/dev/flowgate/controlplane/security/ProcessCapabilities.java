package dev.flowgate.controlplane.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The effective capabilities of this process and which of flowgate's needs they miss, so a
 * permission failure names the missing capability instead of guessing.
 *
 * <p>flowgate needs {@link Capability#CAP_BPF}, {@link Capability#CAP_NET_ADMIN} and {@link
 * Capability#CAP_PERFMON} (the systemd unit grants exactly these). CAP_SYS_ADMIN stands in for
 * CAP_BPF and CAP_PERFMON, as the kernel allows. CAP_SYS_RESOURCE is not needed: BPF memory is
 * charged to the memory cgroup (kernel 5.11+), not to RLIMIT_MEMLOCK.
 */
public final class ProcessCapabilities {
  /** What flowgate needs, in the order messages name them. */
  public static final List<Capability> NEEDED =
      List.of(Capability.CAP_BPF, Capability.CAP_NET_ADMIN, Capability.CAP_PERFMON);

  private static final Path STATUS = Path.of("/proc/self/status");

  private final long effective;

  private ProcessCapabilities(long effective) {
    this.effective = effective;
  }

  /** The capabilities in a CapEff mask. */
  public static ProcessCapabilities of(long effectiveMask) {
    return new ProcessCapabilities(effectiveMask);
  }

  /** This process's effective capabilities, or empty if /proc cannot tell. */
  public static OptionalLong readEffectiveMask() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("CapEff:")) {
          return OptionalLong.of(Long.parseUnsignedLong(line.substring(7).strip(), 16));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // unknown: the caller says so
    }
    return OptionalLong.empty();
  }

  /** True if the capability is held, directly or through CAP_SYS_ADMIN where that counts. */
  public boolean holds(Capability c) {
    if (c.in(effective)) {
      return true;
    }
    return (c == Capability.CAP_BPF || c == Capability.CAP_PERFMON)
        && Capability.CAP_SYS_ADMIN.in(effective);
  }

  /** The needed capabilities this process lacks, in {@link #NEEDED} order. */
  public List<Capability> missing() {
    List<Capability> out = new ArrayList<>();
    for (Capability c : NEEDED) {
      if (!holds(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * The hint for a BPF or netlink call that failed with EPERM: names the missing capabilities, e.g.
   * {@code missing capability CAP_BPF (flowgate needs CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)}.
   */
  public String permissionHint() {
    List<Capability> missing = missing();
    String needs = "flowgate needs CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON";
    if (missing.isEmpty()) {
      return "permission denied although CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON are held: check"
          + " kernel lockdown, a security module, and the owner of the pin directory";
    }
    StringBuilder names = new StringBuilder();
    for (Capability c : missing) {
      names.append(names.length() == 0 ? "" : ", ").append(c.name());
    }
    return (missing.size() == 1 ? "missing capability " : "missing capabilities ")
        + names
        + " ("
        + needs
        + ")";
  }

  /** The EPERM hint for this process; a generic one if /proc cannot tell its capabilities. */
  public static String hintForThisProcess() {
    OptionalLong mask = readEffectiveMask();
    if (mask.isEmpty()) {
      return "missing privilege: flowgate needs CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON";
    }
    return of(mask.getAsLong()).permissionHint();
  }
}
