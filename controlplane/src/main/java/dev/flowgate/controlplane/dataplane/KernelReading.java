package dev.flowgate.controlplane.dataplane;

import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.dataplane.KernelCounters.Totals;
import java.util.List;

/**
 * The kernel's counters as one sweep read them, right after its swap: the totals of every slot in
 * use (per direction; both table halves, and apart the half the swap retired, whose totals are
 * final and belong exactly to the sweep's drain) and every error counter, each summed over CPUs.
 * Immutable.
 */
public final class KernelReading {

  /** Nothing read: no slot, every error counter zero. */
  public static final KernelReading EMPTY =
      new KernelReading(List.of(), new Totals[0], 0, new Totals[0], new long[Layout.DP_ERROR_MAX]);

  private final List<Integer> slots;
  private final Totals[] totals; // index: position of the slot in slots * DIR_MAX + direction
  private final int retiredHalf;
  private final Totals[] retired; // as totals, of the retired half only
  private final long[] errors;

  KernelReading(
      List<Integer> slots, Totals[] totals, int retiredHalf, Totals[] retired, long[] errors) {
    this.slots = List.copyOf(slots);
    this.totals = totals;
    this.retiredHalf = retiredHalf;
    this.retired = retired;
    this.errors = errors;
  }

  /** The flow table half the sweep's swap retired (and drained). */
  public int retiredHalf() {
    return retiredHalf;
  }

  /** The totals of a slot read and a direction counted into the retired half: final. */
  public Totals retired(int slot, int direction) {
    return retired[index(slot) + direction];
  }

  /** The slots read, in the order given. */
  public List<Integer> slots() {
    return slots;
  }

  /** The totals of a slot read and a direction (0 ingress, 1 egress). */
  public Totals totals(int slot, int direction) {
    return totals[index(slot) + direction];
  }

  private int index(int slot) {
    int i = slots.indexOf(slot);
    if (i < 0) {
      throw new IllegalArgumentException("slot " + slot + " was not read");
    }
    return i * Layout.DIR_MAX;
  }

  /** One error counter (enum fg_error), summed over CPUs. */
  public long error(int reason) {
    return errors[reason];
  }

  /** Every error counter, indexed by enum fg_error: a copy. */
  public long[] errors() {
    return errors.clone();
  }
}
