package dev.flowgate.controlplane.accounting;

import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.dataplane.KernelCounters;
import dev.flowgate.controlplane.dataplane.KernelCounters.Totals;
import dev.flowgate.controlplane.dataplane.KernelReading;
import dev.flowgate.controlplane.sweep.SweepListener;
import dev.flowgate.controlplane.sweep.SweepResult;
import dev.flowgate.exporters.FlowSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The accounting invariant, per interface slot and direction:
 *
 * <pre>kernel totals = exported + still in the flow cache + unaccounted</pre>
 *
 * <p>"kernel" is what the kernel's totals counted since this run took over, as far as it was
 * drained: the programs keep totals per flow table half (the half they count the packet's flow
 * into), so the totals of a half read right after the swap that retired it are final and belong
 * exactly to what that sweep drains. The kernel term is the sum of each half's totals as of its
 * last retirement, minus a baseline taken at start (the totals then, less what the start's drain
 * found in the flow table, which this run owns and exports). Packets counted into the half the
 * programs write now are in neither term until the sweep that drains them, so "unaccounted" is 0 at
 * every sweep while traffic flows, not only at a quiescent point. "exported" is tallied from the
 * finished batches handed to the sinks, "in cache" is the flow cache's held counts, and
 * "unaccounted" is the difference: what the kernel could not place in the flow table (insert
 * failures: its slice and the spill map both full). At a quiescent point all four are exact.
 *
 * <p>Updated on the sweeper's thread; {@link #snapshot()} is published for readers.
 */
public final class Accounting implements SweepListener {

  /** One row of the invariant. */
  public record Row(
      int slot,
      int direction,
      Totals kernel,
      long exportedPackets,
      long exportedBytes,
      long cachedPackets,
      long cachedBytes) {

    public long unaccountedPackets() {
      return kernel.packets() - exportedPackets - cachedPackets;
    }

    public long unaccountedBytes() {
      return kernel.bytes() - exportedBytes - cachedBytes;
    }
  }

  private static final int CELLS = Layout.MAX_SLOTS * Layout.DIR_MAX;

  private final Map<Integer, Integer> slotOfIfindex = new HashMap<>();
  private final Totals[] base = new Totals[CELLS];
  private final Totals[][] retired = new Totals[2][CELLS]; // each half's totals when last retired
  private final Totals[] lastKernel = new Totals[CELLS];
  private final long[] exportedPackets = new long[CELLS];
  private final long[] exportedBytes = new long[CELLS];
  private final boolean[] used = new boolean[CELLS];
  private volatile List<Row> snapshot = List.of();

  /** Records which slot an ifindex counts in (kept after a detach, for flows still cached). */
  public synchronized void mapIfindex(int ifindex, int slot) {
    slotOfIfindex.put(ifindex, slot);
  }

  /**
   * At start, before the replay and the drains: every slot's baseline starts from zero; the replay
   * and the start's drains take their counts off it ({@link #adoptReplayed}, {@link
   * #addStartupDrain}), and {@link #addStartTotals} adds the kernel totals read right after the
   * start's swap. So base = totals after the swap - everything this run took over, whatever the
   * order in which those were found; packets counted between the start's first reads and the swap
   * are in both terms and cancel (reading the totals before the swap would count them as
   * unaccounted).
   */
  public synchronized void beginStart(Iterable<Integer> slots) {
    for (int slot : slots) {
      for (int dir = 0; dir < Layout.DIR_MAX; dir++) {
        int c = cell(slot, dir);
        base[c] = Totals.ZERO;
        used[c] = true;
      }
    }
  }

  /** At start, right after the swap: adds the kernel totals now to every slot's baseline. */
  public synchronized void addStartTotals(Iterable<Integer> slots) {
    for (int slot : slots) {
      for (int dir = 0; dir < Layout.DIR_MAX; dir++) {
        int c = cell(slot, dir);
        base[c] = base[c].plus(retiredSum(c));
      }
    }
  }

  /**
   * Reads the totals of table half {@code half}, which no program writes any more (right after the
   * swap that retired it, or the idle half at start), for every slot in use.
   */
  public synchronized void retire(KernelCounters counters, Iterable<Integer> slots, int half) {
    for (int slot : slots) {
      for (int dir = 0; dir < Layout.DIR_MAX; dir++) {
        retired[half][cell(slot, dir)] = counters.totals(half, slot, dir);
      }
    }
  }

  /** Counts of the start's drain, per ifindex and direction: they belong to this run. */
  public synchronized void addStartupDrain(int ifindex, int direction, long packets, long bytes) {
    Integer slot = slotOfIfindex.get(ifindex);
    if (slot != null && base[cell(slot, direction)] != null) {
      int c = cell(slot, direction);
      base[c] = base[c].minus(new Totals(packets, bytes, 0, 0, 0, 0));
    }
  }

  /**
   * At start, after the crash journal's replay and before the start's drains: what the replay put
   * in the cache and exported again was drained by the previous run, so it is in the totals the
   * baseline was taken from; it belongs to this run now, like a startup drain. Takes the replay's
   * exported and held counts off every baseline (exact at a quiescent point after a replay).
   */
  public synchronized void adoptReplayed(FlowCache cache) {
    for (Map.Entry<Integer, Integer> e : slotOfIfindex.entrySet()) {
      for (int dir = 0; dir < Layout.DIR_MAX; dir++) {
        int c = cell(e.getValue(), dir);
        if (base[c] != null) {
          base[c] =
              base[c].minus(
                  new Totals(
                      cache.heldPackets(e.getKey(), dir),
                      cache.heldBytes(e.getKey(), dir),
                      0,
                      0,
                      0,
                      0));
        }
      }
    }
    for (int c = 0; c < CELLS; c++) {
      if (base[c] != null) {
        base[c] = base[c].minus(new Totals(exportedPackets[c], exportedBytes[c], 0, 0, 0, 0));
      }
    }
  }

  /**
   * The baseline of a slot attached while running: its totals now, taken before its programs are
   * attached, so everything counted after belongs to this run.
   */
  public synchronized void captureBase(KernelCounters counters, int slot) {
    for (int dir = 0; dir < Layout.DIR_MAX; dir++) {
      int c = cell(slot, dir);
      for (int half = 0; half < 2; half++) {
        retired[half][c] = counters.totals(half, slot, dir); // nothing counts for it yet
      }
      base[c] = retiredSum(c);
      used[c] = true;
    }
  }

  /**
   * A sweep ended: takes the kernel side from the totals it read right after its swap, then
   * publishes the rows with the cache's held counts.
   */
  @Override
  public void swept(SweepResult result) {
    readKernel(result.kernel());
    publish(result.cache());
  }

  /**
   * Takes the kernel side from totals read right after a sweep's swap, for every slot read: the
   * retired half's totals are final and belong to this sweep's drain.
   */
  public synchronized void readKernel(KernelReading reading) {
    int half = reading.retiredHalf();
    for (int slot : reading.slots()) {
      for (int dir = 0; dir < Layout.DIR_MAX; dir++) {
        int c = cell(slot, dir);
        Totals done = reading.retired(slot, dir);
        if (base[c] == null) {
          // a slot first seen now: what it counted so far is not this run's
          retired[half ^ 1][c] = reading.totals(slot, dir).minus(done);
          retired[half][c] = done;
          base[c] = retiredSum(c);
        }
        retired[half][c] = done;
        used[c] = true;
        lastKernel[c] = retiredSum(c).minus(base[c]);
      }
    }
  }

  private Totals retiredSum(int c) {
    Totals a = retired[0][c];
    Totals b = retired[1][c];
    return (a == null ? Totals.ZERO : a).plus(b == null ? Totals.ZERO : b);
  }

  /** Tallies a finished batch on its way to the sinks. */
  public synchronized void addExported(VectorSchemaRoot finished) {
    int n = finished.getRowCount();
    ArrowBuf ifindex = finished.getVector(FlowSchema.IFINDEX_INDEX).getDataBuffer();
    ArrowBuf direction = finished.getVector(FlowSchema.DIRECTION_INDEX).getDataBuffer();
    ArrowBuf packets = finished.getVector(FlowSchema.PACKETS_INDEX).getDataBuffer();
    ArrowBuf bytes = finished.getVector(FlowSchema.BYTES_INDEX).getDataBuffer();
    int lastIfindex = 0;
    Integer slot = null;
    boolean looked = false;
    for (int i = 0; i < n; i++) {
      int ix = ifindex.getInt((long) i * 4);
      if (!looked || ix != lastIfindex) {
        // rows of one interface come in runs: one boxed lookup a run, not a row
        slot = slotOfIfindex.get(ix);
        lastIfindex = ix;
        looked = true;
      }
      if (slot == null) {
        continue;
      }
      int c = cell(slot, direction.getByte(i));
      exportedPackets[c] += packets.getLong((long) i * 8);
      exportedBytes[c] += bytes.getLong((long) i * 8);
    }
  }

  /** Recomputes the published rows from the kernel side just read and the cache's held counts. */
  public synchronized void publish(FlowCache cache) {
    long[] cachedPackets = new long[CELLS];
    long[] cachedBytes = new long[CELLS];
    for (Map.Entry<Integer, Integer> e : slotOfIfindex.entrySet()) {
      for (int dir = 0; dir < Layout.DIR_MAX; dir++) {
        int c = cell(e.getValue(), dir);
        cachedPackets[c] += cache.heldPackets(e.getKey(), dir);
        cachedBytes[c] += cache.heldBytes(e.getKey(), dir);
      }
    }
    List<Row> rows = new ArrayList<>();
    for (int c = 0; c < CELLS; c++) {
      if (used[c] && lastKernel[c] != null) {
        rows.add(
            new Row(
                c / Layout.DIR_MAX,
                c % Layout.DIR_MAX,
                lastKernel[c],
                exportedPackets[c],
                exportedBytes[c],
                cachedPackets[c],
                cachedBytes[c]));
      }
    }
    snapshot = List.copyOf(rows);
  }

  /** The rows as of the last sweep. */
  public List<Row> snapshot() {
    return snapshot;
  }

  private static int cell(int slot, int direction) {
    return slot * Layout.DIR_MAX + direction;
  }
}
