package dev.flowgate.controlplane.iface;

import dev.flowgate.controlplane.dataplane.Hook;
import java.util.List;

/**
 * An interface flowgate counts on now.
 *
 * @param name the interface name
 * @param ifindex its index in the host network namespace
 * @param slot its totals slot in the kernel
 * @param specId the id of the entry that selected it
 * @param sampling the sample rate in force
 * @param hooks where the programs run, with a note when a fallback was taken
 */
public record AttachedInterface(
    String name, int ifindex, int slot, String specId, int sampling, List<HookState> hooks) {

  /**
   * One program on one hook.
   *
   * @param hook where it runs
   * @param note why this hook (e.g. the reason native XDP was not possible), or empty
   */
  public record HookState(Hook hook, String note) {}
}
