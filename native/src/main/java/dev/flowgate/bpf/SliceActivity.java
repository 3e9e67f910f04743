package dev.flowgate.bpf;

import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Which CPU slices of a retired flow table half can hold entries: those whose CPU counted an IP
 * packet into that half since the sweeper last emptied it. A sweep then reads and empties only
 * those slices (and the half's spill map only if any), so an idle table costs one read of the
 * totals per sweep instead of two passes over every slot: the per-sweep work follows what changed,
 * not the table's size.
 *
 * <p>Why the totals tell: a program counts every IP packet into {@code fg_totals} of the half it
 * writes, on its own CPU, in the same run that takes or updates the packet's slot on that CPU's
 * slice (or its spill entry, or counts an insert failure); nothing else writes the flow table. So
 * if a CPU's sum of IP packets over every slot and direction of a half is the same as when the
 * sweeper last emptied that half, no slot of that CPU's slice was written since. The sums of a
 * retired half are final (the swap waits out every program that could still write it). A half
 * never emptied by this process (the start, a previous run's entries) reads as every slice.
 *
 * <p>Used on the sweeper's thread only. Not thread-safe.
 */
public final class SliceActivity {
  private final BpfMap totals;
  private final int cpus;
  private final ByteBuffer keys;
  private final ByteBuffer values;
  // per half: each CPU's IP packets when the sweeper last emptied it (null: not since this start)
  private final long[][] emptiedAt = new long[2][];
  // per half: the sums of the last read(), which become emptiedAt once the half is emptied
  private final long[][] read = new long[2][];

  /**
   * @param totals the programs' {@code fg_totals} (per-CPU struct iface_totals)
   * @param cpus the CPU slices of each half ({@link FlowTable#cpus()})
   */
  public SliceActivity(BpfMap totals, int cpus) {
    if (totals.maxEntries() != 2 * Layout.TOTALS_PER_HALF || !totals.isPerCpu()) {
      throw new IllegalArgumentException(
          totals.name() + " is not the per-CPU totals of two table halves");
    }
    this.totals = totals;
    this.cpus = cpus;
    this.keys = NativeBpf.allocate(totals.maxEntries() * totals.keySize());
    this.values = NativeBpf.allocate(totals.maxEntries() * totals.valueBufferSize());
  }

  /**
   * The CPUs whose slice of retired {@code half} may hold entries: every CPU before the half was
   * first {@link #emptied}, else those that counted an IP packet into it since. Call after the swap
   * that retired it.
   */
  public BitSet written(int half) {
    long[] now = ipPackets(half);
    read[half] = now;
    BitSet cpusWritten = new BitSet(cpus);
    long[] then = emptiedAt[half];
    for (int cpu = 0; cpu < cpus; cpu++) {
      if (then == null || then[cpu] != now[cpu]) {
        cpusWritten.set(cpu);
      }
    }
    return cpusWritten;
  }

  /** Records that {@code half}, as its last {@link #written} read it, is now empty. */
  public void emptied(int half) {
    emptiedAt[half] = read[half];
    read[half] = null;
  }

  /** Forgets what is known of {@code half}: its next {@link #written} is every CPU. */
  public void forget(int half) {
    emptiedAt[half] = null;
    read[half] = null;
  }

  /** Each CPU's IP packets counted into {@code half}, summed over slots and directions. */
  private long[] ipPackets(int half) {
    int n = totals.lookupBatch(keys.clear(), values.clear());
    int stride = totals.valueBufferSize();
    int cpuStride = (totals.valueSize() + 7) & ~7;
    long[] sums = new long[cpus];
    for (int i = 0; i < n; i++) {
      int index = keys.getInt(i * totals.keySize());
      if (index / Layout.TOTALS_PER_HALF != half) {
        continue;
      }
      for (int cpu = 0; cpu < cpus; cpu++) {
        sums[cpu] += values.getLong(i * stride + cpu * cpuStride + Layout.IFACE_TOTALS_PACKETS);
      }
    }
    return sums;
  }
}
