package dev.flowgate.controlplane.dataplane;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.Layout;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Reads the kernel's per-CPU totals (per flow table half, slot and direction) and error counters,
 * summed over CPUs. A few lookups per slot in use; called once per sweep and at scrape time.
 */
public final class KernelCounters {

  /** Totals of one slot and direction, summed over CPUs (struct iface_totals). */
  public record Totals(
      long packets,
      long bytes,
      long otherPackets,
      long otherBytes,
      long insertFailed,
      long insertFailedBytes) {

    /** Nothing counted. */
    public static final Totals ZERO = new Totals(0, 0, 0, 0, 0, 0);

    /** This minus a baseline, field by field. */
    public Totals minus(Totals b) {
      return new Totals(
          packets - b.packets,
          bytes - b.bytes,
          otherPackets - b.otherPackets,
          otherBytes - b.otherBytes,
          insertFailed - b.insertFailed,
          insertFailedBytes - b.insertFailedBytes);
    }

    /** This plus another, field by field. */
    public Totals plus(Totals b) {
      return new Totals(
          packets + b.packets,
          bytes + b.bytes,
          otherPackets + b.otherPackets,
          otherBytes + b.otherBytes,
          insertFailed + b.insertFailed,
          insertFailedBytes + b.insertFailedBytes);
    }
  }

  /**
   * Samples of one slot and direction, summed over CPUs (struct sample_counts).
   *
   * @param taken packets the 1-in-N sampler chose
   * @param dropped those of them the full ring buffer refused (lost in the kernel)
   */
  public record SampleCounts(long taken, long dropped) {

    /** This minus a baseline, field by field. */
    public SampleCounts minus(SampleCounts b) {
      return new SampleCounts(taken - b.taken, dropped - b.dropped);
    }
  }

  private final Dataplane dataplane;
  private final BpfMap totals;
  private final BpfMap errors;
  private final BpfMap sampleCounts;
  private final ByteBuffer sampleValue;
  private final ByteBuffer key = Dataplane.direct(4);
  private final ByteBuffer totalsValue;
  private final ByteBuffer errorValue;

  public KernelCounters(Dataplane dataplane) {
    this.dataplane = dataplane;
    this.totals = dataplane.totals();
    this.errors = dataplane.errors();
    this.sampleCounts = dataplane.sampleCounts();
    this.totalsValue = Dataplane.direct(totals.valueBufferSize());
    this.errorValue = Dataplane.direct(errors.valueBufferSize());
    this.sampleValue = Dataplane.direct(sampleCounts.valueBufferSize());
  }

  /** The samples taken and dropped of one slot and direction. */
  public synchronized SampleCounts samples(int slot, int direction) {
    key.putInt(0, slot * Layout.DIR_MAX + direction);
    if (!sampleCounts.lookup(key, sampleValue)) {
      return new SampleCounts(0, 0);
    }
    return new SampleCounts(
        Layout.sumPerCpu(sampleValue, 0, Layout.SAMPLE_COUNTS_SIZE, Layout.SAMPLE_COUNTS_TAKEN),
        Layout.sumPerCpu(sampleValue, 0, Layout.SAMPLE_COUNTS_SIZE, Layout.SAMPLE_COUNTS_DROPPED));
  }

  /** The totals of one slot and direction, both table halves. */
  public synchronized Totals totals(int slot, int direction) {
    return totals(0, slot, direction).plus(totals(1, slot, direction));
  }

  /**
   * The totals of one slot and direction counted into table half {@code half}: once the half is
   * retired (swapped out), final and exactly what its drain holds plus its insert failures.
   */
  public synchronized Totals totals(int half, int slot, int direction) {
    key.putInt(0, Layout.totalsIndex(half, slot, direction));
    if (!totals.lookup(key, totalsValue)) {
      return Totals.ZERO;
    }
    return new Totals(
        total(Layout.IFACE_TOTALS_PACKETS),
        total(Layout.IFACE_TOTALS_BYTES),
        total(Layout.IFACE_TOTALS_OTHER_PACKETS),
        total(Layout.IFACE_TOTALS_OTHER_BYTES),
        total(Layout.IFACE_TOTALS_INSERT_FAILED),
        total(Layout.IFACE_TOTALS_INSERT_FAILED_BYTES));
  }

  /**
   * Reads the totals of every slot in {@code slots} (both directions, both table halves and the
   * half no program writes now on its own) and every error counter: what a sweep reads right after
   * its swap, when the idle half is the one the swap retired.
   */
  public synchronized KernelReading read(List<Integer> slots) {
    int half = dataplane.idleHalf();
    Totals[] t = new Totals[slots.size() * Layout.DIR_MAX];
    Totals[] r = new Totals[slots.size() * Layout.DIR_MAX];
    for (int i = 0; i < slots.size(); i++) {
      for (int dir = 0; dir < Layout.DIR_MAX; dir++) {
        Totals retired = totals(half, slots.get(i), dir);
        r[i * Layout.DIR_MAX + dir] = retired;
        t[i * Layout.DIR_MAX + dir] = retired.plus(totals(half ^ 1, slots.get(i), dir));
      }
    }
    long[] e = new long[Layout.DP_ERROR_MAX];
    for (int i = 0; i < e.length; i++) {
      e[i] = error(i);
    }
    return new KernelReading(slots, t, half, r, e);
  }

  /** One error counter (enum fg_error), summed over CPUs. */
  public synchronized long error(int reason) {
    key.putInt(0, reason);
    if (!errors.lookup(key, errorValue)) {
      return 0;
    }
    return Layout.sumPerCpu(errorValue, 0, errors.valueSize(), 0);
  }

  /** One u64 field of struct iface_totals in {@link #totalsValue}, summed over CPUs. */
  private long total(int field) {
    return Layout.sumPerCpu(totalsValue, 0, Layout.IFACE_TOTALS_SIZE, field);
  }
}
