package dev.flowgate.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The kernel's flow table ({@code fg_flows}, see maps.h) as the control plane uses it: sized before
 * load, then swapped and drained through mmap, with no syscall per flow.
 *
 * <p>The table has two halves; the programs write the one {@code fg_flow_gen} names. {@link
 * #swap()} flips the generation and returns the retired half once no program can still write it.
 * {@link #drain} copies the retired half's used slots out as packed {@code flow_key} and {@code
 * flow_stats} (the layout {@link BpfMap#lookupAndDeleteBatch} gives; times converted from jiffies
 * to CLOCK_MONOTONIC ns) and empties them, then does the same with the half's spill map: the HASH
 * that takes a flow whose probe window in its CPU's slice was full.
 *
 * <p>Each half holds {@link #cpus()} slices of {@link #slotsPerCpu()} slots; a CPU counts only into
 * its own slice. A flow seen on two CPUs in one interval is therefore drained as two entries with
 * the same key; consumers add them up. The programs list each slot a CPU takes in a half ({@code
 * fg_taken}), so {@link #copy} and {@link #clear} visit only those, once this view has emptied the
 * slice and reset its list (the first pass after open reads every slice whole); a slice whose list
 * overflowed ({@link #takenListCapacity()}) is read whole. Not thread-safe: one sweeper at a time.
 */
public final class FlowTable implements AutoCloseable {
  /** The table map. */
  public static final String MAP = "fg_flows";

  /** The slots each CPU took in each half: a count and a list per (half, CPU) slice. */
  public static final String TAKEN_MAP = "fg_taken";

  /** The generation word (bit 0: the half the programs write). */
  public static final String GEN_MAP = "fg_flow_gen";

  /** The map of maps whose update waits for running programs. */
  public static final String BARRIER_MAP = "fg_flow_barrier";

  /** The barrier's one inner map. */
  public static final String BARRIER_INNER_MAP = "fg_flow_barrier_inner";

  /** The spill maps of half 0 and half 1. */
  public static final List<String> SPILL_MAPS = List.of("fg_spill_0", "fg_spill_1");

  /** The clock pair the clock program writes. */
  public static final String CLOCK_MAP = "fg_clock";

  /** The program that reads jiffies and CLOCK_MONOTONIC together. */
  public static final String CLOCK_PROGRAM = "fg_clock_read";

  /** Smallest slice: 1024 slots per CPU. */
  public static final int MIN_SLOTS_PER_CPU = 1 << 10;

  private static final int SCAN_COPY = 0;
  private static final int SCAN_MOVE = 1;
  private static final int SCAN_CLEAR = 2;
  private static final int SCAN_COUNT = 3;
  private static final int SCAN_RESET = 4;
  // a slice's taken list has slots / 2^TAKEN_SHIFT words: its count and that many minus one slots
  private static final int TAKEN_SHIFT = 3;
  private static final byte[] CLOCK_FRAME = new byte[64];

  private final BpfMap table;
  private final BpfMap taken;
  private final BpfMap[] spill;
  private final BpfMap gen;
  private final BpfMap barrier;
  private final BpfMap barrierInner;
  private final BpfMap clockMap;
  private final BpfProgram clockProgram;
  private final int cpus;
  private final int slotsPerCpu;
  private final long halfSlots;
  private final long tickNs;
  private final long tickGrid;
  private final long[] cursor = new long[2];
  // per half and CPU: this view emptied the slice and reset its taken list since it opened, so the
  // list names every slot taken since (or says it overflowed); until then the slice is read whole
  private final boolean[][] listed;
  private long listedSlices;
  private long wholeSlices;
  private final JiffiesClock[] passClock = new JiffiesClock[2];
  private final long[] next = new long[1];
  private final ByteBuffer zeroKey = NativeBpf.allocate(4);
  private final ByteBuffer genValue = NativeBpf.allocate(4);
  private final ByteBuffer clockValue = NativeBpf.allocate(Layout.FG_CLOCK_SIZE);
  private ByteBuffer[] scratch;
  // the scratch buffers' memory: committed only as far as a batch wrote (the spill map is usually
  // empty), not spillEntries() x 116 bytes at once (30 MB at max-flows 1,000,000)
  private LazyMemory[] scratchMemory;
  private boolean closed;

  private FlowTable(BpfObject object) {
    this.table = object.map(MAP);
    this.spill = new BpfMap[] {object.map(SPILL_MAPS.get(0)), object.map(SPILL_MAPS.get(1))};
    this.gen = object.map(GEN_MAP);
    this.barrier = object.map(BARRIER_MAP);
    this.barrierInner = object.map(BARRIER_INNER_MAP);
    this.clockMap = object.map(CLOCK_MAP);
    this.clockProgram = object.program(CLOCK_PROGRAM);
    if (table.type() != BpfMap.TYPE_ARRAY || table.valueSize() != Layout.FLOW_SLOT_SIZE) {
      throw new IllegalStateException(
          MAP + " is not an ARRAY of " + Layout.FLOW_SLOT_SIZE + "-byte flow slots");
    }
    this.cpus = NativeBpf.nrPossibleCpus();
    this.halfSlots = Integer.toUnsignedLong(table.maxEntries()) / 2;
    if (halfSlots % cpus != 0 || Long.bitCount(halfSlots / cpus) != 1) {
      throw new IllegalStateException(
          MAP
              + " holds "
              + table.maxEntries()
              + " slots: not 2 halves of "
              + cpus
              + " power-of-two slices (pinned by a host with other CPUs?)");
    }
    this.slotsPerCpu = (int) (halfSlots / cpus);
    // an object built before fg_taken has none: every slice is read whole
    this.taken = object.mapNames().contains(TAKEN_MAP) ? object.map(TAKEN_MAP) : null;
    if (taken != null
        && taken.type() != BpfMap.TYPE_ARRAY
        || taken.valueSize() != 8
        || Integer.toUnsignedLong(taken.maxEntries()) != 2 * halfSlots >> TAKEN_SHIFT) {
      throw new IllegalStateException(
          TAKEN_MAP + " is not an ARRAY of 2 x " + cpus + " lists of " + takenWords() + " words");
    }
    this.listed = new boolean[2][cpus];
    this.tickNs = KernelTick.tickNs(this::readClock);
    this.tickGrid = tickGrid();
  }

  /**
   * Flows each CPU's slice is sized for when the table holds {@code maxFlows} flows in total
   * (flows.max-flows) on {@code cpus} CPUs: twice the even share, so traffic spread unevenly over
   * the CPUs still fits, but never more than {@code maxFlows} (one or two CPUs: every slice holds
   * them all). A CPU that takes more than its slice overflows to the spill map, then counts insert
   * failures. 262,144 flows on 64 CPUs: 8,192 per CPU, 92 MB of kernel memory, not 2.9 GB.
   */
  public static int flowsPerCpu(int maxFlows, int cpus) {
    if (maxFlows < 1 || cpus < 1) {
      throw new IllegalArgumentException(
          "max flows and cpus must be >= 1: " + maxFlows + ", " + cpus);
    }
    long share = (2L * maxFlows + cpus - 1) / cpus;
    return (int) Math.min(maxFlows, share);
  }

  /**
   * Kernel memory of a table sized for {@code flowsPerCpu} on {@code cpus} CPUs: both halves' slots
   * (120 bytes each), their taken lists (8 bytes per 8 slots) and both spill maps (about 160 bytes
   * an entry with the hash map's own).
   */
  public static long kernelBytes(int flowsPerCpu, int cpus) {
    long half = (long) cpus * slotsPerCpu(flowsPerCpu);
    return 2 * half * Layout.FLOW_SLOT_SIZE
        + 2 * (half >> TAKEN_SHIFT) * 8
        + 2L * spillEntries(half) * 160;
  }

  /** Flows one half holds (slots and spill map) for {@code flowsPerCpu} on {@code cpus} CPUs. */
  public static long halfCapacity(int flowsPerCpu, int cpus) {
    long half = (long) cpus * slotsPerCpu(flowsPerCpu);
    return half + spillEntries(half);
  }

  /**
   * Slots per CPU for {@code flowsPerCpu}: the next power of two, at least {@link
   * #MIN_SLOTS_PER_CPU}.
   */
  public static int slotsPerCpu(int flowsPerCpu) {
    if (flowsPerCpu <= MIN_SLOTS_PER_CPU) {
      return MIN_SLOTS_PER_CPU;
    }
    int p = Integer.highestOneBit(flowsPerCpu - 1) << 1;
    if (p <= 0) {
      throw new IllegalArgumentException("flows per CPU too large: " + flowsPerCpu);
    }
    return p;
  }

  /**
   * Sizes the table of an opened, not yet loaded flowgate object: each of the {@link
   * NativeBpf#nrPossibleCpus()} CPUs gets {@link #slotsPerCpu(int)} slots in each half, so the
   * table takes 2 x CPUs x slots x 120 bytes of kernel memory; each half's spill map holds {@link
   * #spillEntries(long)} flows.
   */
  public static void configure(BpfObject object, int flowsPerCpu) {
    int slots = slotsPerCpu(flowsPerCpu);
    long half = (long) NativeBpf.nrPossibleCpus() * slots;
    if (2 * half > 0x7FFF_FFFFL) {
      throw new IllegalArgumentException(
          "flow table of " + 2 * half + " slots: more than 2^31 - 1 (fewer flows per CPU)");
    }
    object.setGlobal("fg_cpus", NativeBpf.nrPossibleCpus());
    object.setGlobal("fg_slot_bits", Integer.numberOfTrailingZeros(slots));
    object.setMaxEntries(MAP, (int) (2 * half));
    if (object.mapNames().contains(TAKEN_MAP)) { // not in objects built before it
      object.setGlobal("fg_taken_bits", Integer.numberOfTrailingZeros(slots) - TAKEN_SHIFT);
      object.setMaxEntries(TAKEN_MAP, (int) (2 * half >> TAKEN_SHIFT));
    }
    for (String name : SPILL_MAPS) {
      object.setMaxEntries(name, spillEntries(half));
    }
  }

  /**
   * Spill map entries for a half of {@code halfSlots}: an eighth, at least 1,024. Linear probing
   * with {@value Layout#TABLE_PROBES} probes turns away about 12% of new flows from a slice that is
   * filled to the last slot, so a slice can fill up completely before a flow is refused.
   */
  public static int spillEntries(long halfSlots) {
    return (int) Math.max(1024, halfSlots / 8);
  }

  /**
   * The table of a loaded flowgate object. Scans map it a window (64Ki slots, 5.5 MiB) at a time,
   * so the kernel's table never counts in this process's resident memory beyond one window.
   */
  public static FlowTable open(BpfObject object) {
    return new FlowTable(object);
  }

  /** CPU slices per half. */
  public int cpus() {
    return cpus;
  }

  /** Slots of each CPU's slice. */
  public int slotsPerCpu() {
    return slotsPerCpu;
  }

  /**
   * Slots a slice's taken list names before it overflows: an eighth of the slice, less one (the
   * count's word). A slice with more taken slots in an interval is read whole.
   */
  public int takenListCapacity() {
    return takenWords() - 1;
  }

  private int takenWords() {
    return slotsPerCpu >> TAKEN_SHIFT;
  }

  /**
   * Slices this view has read or emptied through their taken lists, and slices it read or emptied
   * whole (before it had emptied them once, or when a list overflowed), since it opened.
   */
  public long[] sliceVisits() {
    return new long[] {listedSlices, wholeSlices};
  }

  /** Slots of one half (cpus x slotsPerCpu). */
  public long halfSlots() {
    return halfSlots;
  }

  /** The spill map of {@code half}. */
  public BpfMap spillMap(int half) {
    checkHalf(half);
    return spill[half];
  }

  /** Entries of each half's spill map. */
  public int spillEntries() {
    return spill[0].maxEntries();
  }

  /** The most entries one pass over a half can return: its slots and its spill map. */
  public long capacity() {
    return halfSlots + spillEntries();
  }

  /** Nanoseconds per jiffy of this kernel (1e9 / CONFIG_HZ, rounded as the kernel does). */
  public long tickNs() {
    return tickNs;
  }

  /**
   * The taken lists ({@code fg_taken}): per half and CPU, {@link #takenListCapacity()} + 1 words
   * from index {@code (half * cpus + cpu) * (takenListCapacity() + 1)}, the count then the
   * positions. Only the programs write it; a test or benchmark that fills slots from user space
   * lists them here as the programs would. Null for an object built before it.
   */
  public BpfMap takenMap() {
    return taken;
  }

  /** The table map (for its id and pin). */
  public BpfMap map() {
    return table;
  }

  /** The half (0 or 1) the programs write now. */
  public int current() {
    zeroKey.putInt(0, 0);
    if (!gen.lookup(zeroKey, genValue)) {
      throw new IllegalStateException(GEN_MAP + " has no entry 0");
    }
    return genValue.getInt(0) & 1;
  }

  /**
   * Points the programs at the other half and returns the one they wrote until now, once every
   * program that may have read the old generation has finished: nothing writes the returned half
   * until the next swap.
   */
  public int swap() {
    int old = current();
    zeroKey.putInt(0, 0);
    genValue.putInt(0, old ^ 1);
    gen.update(zeroKey, genValue, BpfMap.BPF_ANY);
    barrier.setInnerMap(0, barrierInner); // returns after synchronize_rcu()
    return old;
  }

  /**
   * Moves the flows of {@code half} into the buffers (entry i's key at {@code keys.position() + i *
   * 44}, its stats at {@code values.position() + i * 40}), emptying the half: first its slots,
   * through the mmap, then its spill map, with the batch op. Stops when the buffers are full. Call
   * again until it returns 0: a pass over a half ends with a call that returns 0, and the next call
   * starts a new pass. The half must be retired ({@link #swap()}) or no program may write it.
   *
   * @return entries moved by this call
   */
  public int drain(int half, ByteBuffer keys, ByteBuffer values) {
    checkHalf(half);
    int max = room(keys, values);
    if (max == 0) {
      throw new IllegalArgumentException("drain buffers have no room for an entry");
    }
    if (cursor[half] == 0) {
      passClock[half] = clock();
    }
    JiffiesClock c = passClock[half];
    if (cursor[half] < halfSlots) {
      long start = half * halfSlots;
      int n =
          scan(start + cursor[half], start + halfSlots, SCAN_MOVE, keys, values, max, c, "drain");
      cursor[half] = next[0] - start;
      if (n > 0) {
        return n;
      }
    }
    int n = spill[half].lookupAndDeleteBatch(keys, values);
    if (n == 0) {
      cursor[half] = 0;
      for (int cpu = 0; cpu < cpus; cpu++) {
        resetTaken(half, cpu);
      }
      return 0;
    }
    toMonoNs(values, n, c);
    return n;
  }

  /**
   * Copies every flow of {@code half} (slots, then spill map) into the buffers, leaving the table
   * as it is. The buffers need room for {@link #capacity()} entries (one consistent pass).
   *
   * @return entries copied
   */
  public int copy(int half, ByteBuffer keys, ByteBuffer values) {
    return copy(half, keys, values, null);
  }

  /**
   * Copies every flow of the slices of {@code cpus} in {@code half} (then its spill map, unless
   * {@code cpus} is empty) into the buffers, leaving the table as it is: {@link #copy(int,
   * ByteBuffer, ByteBuffer)} when the other slices are known to be empty ({@link SliceActivity}).
   *
   * @param cpus the slices to read; null for all
   * @return entries copied
   */
  public int copy(int half, ByteBuffer keys, ByteBuffer values, BitSet cpus) {
    checkHalf(half);
    int max = room(keys, values);
    if (max < capacity()) {
      throw new IllegalArgumentException(
          "copy of a half needs room for " + capacity() + " entries, buffers hold " + max);
    }
    if (cpus != null && cpus.isEmpty()) {
      return 0;
    }
    JiffiesClock c = clock();
    int n = 0;
    for (int cpu : slices(cpus)) {
      ByteBuffer k = keys.duplicate().position(keys.position() + n * Layout.FLOW_KEY_SIZE);
      ByteBuffer v = values.duplicate().position(values.position() + n * Layout.FLOW_STATS_SIZE);
      int got = listed[half][cpu] ? taken(half, cpu, SCAN_COPY, k, v, max - n, c) : -1;
      if (got < 0) {
        long from = half * halfSlots + (long) cpu * slotsPerCpu;
        got = scan(from, from + slotsPerCpu, SCAN_COPY, k, v, max - n, c, "copy");
        wholeSlices++;
      }
      n += got;
    }
    ByteBuffer k = keys.duplicate().position(keys.position() + n * Layout.FLOW_KEY_SIZE);
    ByteBuffer v = values.duplicate().position(values.position() + n * Layout.FLOW_STATS_SIZE);
    int m = spill[half].lookupBatch(k, v);
    toMonoNs(v, m, c);
    return n + m;
  }

  /** Receives a chunked copy's rows ({@link #copy(int, BitSet, ByteBuffer, ByteBuffer, Rows)}). */
  @FunctionalInterface
  public interface Rows {
    /**
     * {@code count} packed keys and stats (the layout of {@link #drain}), from the buffers'
     * positions to their limits. The buffers are the copy's own: valid during the call only.
     */
    void accept(ByteBuffer keys, ByteBuffer values, int count);
  }

  /**
   * Copies every flow of the slices of {@code cpus} in {@code half} (then its spill map, unless
   * {@code cpus} is empty), leaving the table as it is, a chunk at a time: the slots' rows are
   * copied into {@code keys} and {@code values} (a slice's taken list in one go when it fits them,
   * else the slice's slots window by window) and handed to {@code rows} whenever the buffers are
   * full and at the end of each slice; the spill map's rows are read into the table's own scratch
   * buffers (as {@link #clear} does) and handed on in chunks of at most the same size. The memory a
   * pass takes is the caller's buffers, whatever the half holds. The half must be retired.
   *
   * @param cpus the slices to read; null for all
   * @return entries copied (the sum of what {@code rows} got)
   */
  public int copy(int half, BitSet cpus, ByteBuffer keys, ByteBuffer values, Rows rows) {
    checkHalf(half);
    int max = room(keys, values);
    if (max == 0) {
      throw new IllegalArgumentException("copy buffers have no room for an entry");
    }
    if (cpus != null && cpus.isEmpty()) {
      return 0;
    }
    JiffiesClock c = clock();
    int kp = keys.position();
    int vp = values.position();
    int n = 0;
    for (int cpu : slices(cpus)) {
      if (listed[half][cpu]) {
        // the taken list in one call when it fits the buffers (it cannot resume part way)
        int got = taken(half, cpu, SCAN_COPY, keys, values, max, c);
        if (got >= 0) {
          if (got > 0) {
            rows.accept(
                rowsOf(keys, kp, got * Layout.FLOW_KEY_SIZE),
                rowsOf(values, vp, got * Layout.FLOW_STATS_SIZE),
                got);
          }
          n += got;
          continue;
        }
      }
      long to = half * halfSlots + (long) (cpu + 1) * slotsPerCpu;
      for (long from = to - slotsPerCpu; from < to; ) {
        int m = scan(from, to, SCAN_COPY, keys, values, max, c, "copy");
        from = next[0];
        if (m > 0) {
          rows.accept(
              rowsOf(keys, kp, m * Layout.FLOW_KEY_SIZE),
              rowsOf(values, vp, m * Layout.FLOW_STATS_SIZE),
              m);
          n += m;
        }
      }
      wholeSlices++;
    }
    ByteBuffer[] scratch = scratch();
    int spilled = spill[half].lookupBatch(scratch[0].clear(), scratch[1].clear());
    toMonoNs(scratch[1], spilled, c);
    for (int at = 0; at < spilled; at += max) {
      int m = Math.min(max, spilled - at);
      rows.accept(
          rowsOf(scratch[0], at * Layout.FLOW_KEY_SIZE, m * Layout.FLOW_KEY_SIZE),
          rowsOf(scratch[1], at * Layout.FLOW_STATS_SIZE, m * Layout.FLOW_STATS_SIZE),
          m);
    }
    return n + spilled;
  }

  /** {@code length} bytes of {@code b} from {@code at}, little-endian, for a {@link Rows}. */
  private static ByteBuffer rowsOf(ByteBuffer b, int at, int length) {
    return b.duplicate().order(ByteOrder.LITTLE_ENDIAN).limit(at + length).position(at);
  }

  /**
   * Empties every slot and the spill map of {@code half} without reading them; returns how many.
   */
  public int clear(int half) {
    return clear(half, null);
  }

  /**
   * Empties the slices of {@code cpus} in {@code half} and its spill map (unless {@code cpus} is
   * empty) without reading them: {@link #clear(int)} when the other slices are known to be empty.
   *
   * @param cpus the slices to empty; null for all
   * @return entries emptied
   */
  public int clear(int half, BitSet cpus) {
    checkHalf(half);
    cursor[half] = 0;
    if (cpus != null && cpus.isEmpty()) {
      return 0;
    }
    int n = 0;
    for (int cpu : slices(cpus)) {
      int got = listed[half][cpu] ? taken(half, cpu, SCAN_CLEAR, null, null, 0, null) : -1;
      if (got < 0) {
        long from = half * halfSlots + (long) cpu * slotsPerCpu;
        got = scan(from, from + slotsPerCpu, SCAN_CLEAR, null, null, 0, null, "clear");
        wholeSlices++;
        resetTaken(half, cpu);
      }
      n += got;
    }
    ByteBuffer[] scratch = scratch();
    for (int m;
        (m = spill[half].lookupAndDeleteBatch(scratch[0].clear(), scratch[1].clear())) > 0; ) {
      n += m;
    }
    return n;
  }

  /** The slices of {@code cpus} (null: every slice). */
  private List<Integer> slices(BitSet cpus) {
    List<Integer> got = new ArrayList<>();
    for (int cpu = 0; cpu < this.cpus; cpu++) {
      if (cpus == null || cpus.get(cpu)) {
        got.add(cpu);
      }
    }
    return got;
  }

  /**
   * Copies ({@code SCAN_COPY}) or empties ({@code SCAN_CLEAR}, then resets the list) the used slots
   * that {@code cpu}'s taken list in {@code half} names; -1, doing nothing, when the list overflowed
   * or, copying, names more slots than {@code max} (the caller reads or empties the slice whole).
   */
  private int taken(
      int half, int cpu, int mode, ByteBuffer keys, ByteBuffer values, int max, JiffiesClock c) {
    int n = taken0(half, cpu, mode, keys, values, max, c);
    if (next[0] > takenListCapacity() || (mode == SCAN_COPY && next[0] > max)) {
      return -1;
    }
    listedSlices++;
    return n;
  }

  /** Sets the count of {@code cpu}'s taken list in {@code half} to 0: its slice is empty. */
  private void resetTaken(int half, int cpu) {
    if (taken == null) {
      return;
    }
    taken0(half, cpu, SCAN_RESET, null, null, 0, null);
    listed[half][cpu] = true;
  }

  private int taken0(
      int half, int cpu, int mode, ByteBuffer keys, ByteBuffer values, int max, JiffiesClock c) {
    if (closed) {
      throw new IllegalStateException("flow table is closed");
    }
    int n =
        taken0(
            table.fd(),
            taken.fd(),
            8L * Integer.toUnsignedLong(taken.maxEntries()),
            ((long) half * cpus + cpu) * takenWords(),
            takenListCapacity(),
            half * halfSlots + (long) cpu * slotsPerCpu,
            slotsPerCpu,
            mode,
            keys,
            keys == null ? 0 : keys.position(),
            values,
            values == null ? 0 : values.position(),
            max,
            c == null ? 0 : c.jiffies(),
            c == null ? 0 : c.monoNs(),
            c == null ? 0 : c.tickNs(),
            next);
    return BpfException.check("taken list of " + MAP, n);
  }

  /** Flows held in {@code half}, slots and spill map (a racy count while programs write it). */
  public int used(int half) {
    checkHalf(half);
    long start = half * halfSlots;
    int n = scan(start, start + halfSlots, SCAN_COUNT, null, null, 0, null, "count");
    ByteBuffer[] scratch = scratch();
    return n + spill[half].lookupBatch(scratch[0].clear(), scratch[1].clear());
  }

  /** Flows held in {@code half}'s spill map. */
  public int spilled(int half) {
    checkHalf(half);
    ByteBuffer[] scratch = scratch();
    return spill[half].lookupBatch(scratch[0].clear(), scratch[1].clear());
  }

  /**
   * Reads jiffies and CLOCK_MONOTONIC together (by test-running the clock program once) and returns
   * the jiffy with the start of its tick: the kernel's ticks fall on multiples of TICK_NSEC of
   * CLOCK_MONOTONIC (tick_init_jiffy_update aligns them, NO_HZ and high-res kernels alike), so a
   * tick starts at {@code (jiffies + grid) * tickNs} with one constant {@code grid}, measured at
   * open. The time of the read itself would place the tick's start anywhere up to a tick late, a
   * different amount every pass.
   */
  public JiffiesClock clock() {
    long j = readClock().jiffies();
    return new JiffiesClock(j, (j + tickGrid) * tickNs, tickNs);
  }

  /**
   * The constant {@code floor(mono / tickNs) - jiffies}, from a pair read in the second half of a
   * tick: in the first microseconds of a tick, before the timer interrupt has advanced jiffies, a
   * pair still carries the previous jiffy and gives one more (seen about once in 3,000 reads).
   */
  private long tickGrid() {
    for (int tries = 0; tries < 100; tries++) {
      JiffiesClock c = readClock();
      if (Math.floorMod(c.monoNs(), tickNs) >= tickNs / 2) {
        return Math.floorDiv(c.monoNs(), tickNs) - c.jiffies();
      }
      try {
        Thread.sleep(0, (int) Math.min(tickNs / 3, 999_999));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new IllegalStateException("no clock pair read in the second half of a tick");
  }

  private JiffiesClock readClock() {
    clockProgram.testRun(CLOCK_FRAME, 1);
    zeroKey.putInt(0, 0);
    if (!clockMap.lookup(zeroKey, clockValue)) {
      throw new IllegalStateException(CLOCK_MAP + " has no entry 0");
    }
    return new JiffiesClock(
        clockValue.getLong(Layout.FG_CLOCK_JIFFIES),
        clockValue.getLong(Layout.FG_CLOCK_MONO_NS),
        0);
  }

  /** Marks this view closed (the maps belong to the object; nothing stays mapped). */
  @Override
  public void close() {
    closed = true;
    if (scratchMemory != null) {
      scratch = null;
      for (LazyMemory m : scratchMemory) {
        m.close();
      }
      scratchMemory = null;
    }
  }

  private int scan(
      long from,
      long to,
      int mode,
      ByteBuffer keys,
      ByteBuffer values,
      int max,
      JiffiesClock c,
      String what) {
    if (closed) {
      throw new IllegalStateException("flow table is closed");
    }
    int n =
        scan0(
            table.fd(),
            from,
            to,
            mode,
            keys,
            keys == null ? 0 : keys.position(),
            values,
            values == null ? 0 : values.position(),
            max,
            c == null ? 0 : c.jiffies(),
            c == null ? 0 : c.monoNs(),
            c == null ? 0 : c.tickNs(),
            next);
    return BpfException.check(what + " " + MAP, n);
  }

  /** Rewrites the jiffies times of {@code n} stats from {@code values.position()} as ns. */
  private static void toMonoNs(ByteBuffer values, int n, JiffiesClock c) {
    ByteBuffer le = values.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      int at = values.position() + i * Layout.FLOW_STATS_SIZE;
      int first = at + Layout.FLOW_STATS_FIRST_SEEN_NS;
      int last = at + Layout.FLOW_STATS_LAST_SEEN_NS;
      le.putLong(first, c.toMonoNs(le.getLong(first)));
      le.putLong(last, c.toMonoNs(le.getLong(last)));
    }
  }

  /**
   * Buffers for a whole spill map, made on first use, in {@link LazyMemory}: a batch writes only the
   * entries it returns, so they cost the pages of the most entries a spill map held, not its size.
   */
  private ByteBuffer[] scratch() {
    if (closed) {
      throw new IllegalStateException("flow table is closed");
    }
    if (scratch == null) {
      long n = spillEntries();
      scratchMemory =
          new LazyMemory[] {
            LazyMemory.map(n * Layout.FLOW_KEY_SIZE), LazyMemory.map(n * Layout.FLOW_STATS_SIZE)
          };
      scratch =
          new ByteBuffer[] {
            scratchMemory[0].buffer().order(ByteOrder.LITTLE_ENDIAN),
            scratchMemory[1].buffer().order(ByteOrder.LITTLE_ENDIAN)
          };
    }
    return scratch;
  }

  private static int room(ByteBuffer keys, ByteBuffer values) {
    if (!keys.isDirect() || !values.isDirect()) {
      throw new IllegalArgumentException("flow table buffers must be direct");
    }
    return Math.min(
        keys.remaining() / Layout.FLOW_KEY_SIZE, values.remaining() / Layout.FLOW_STATS_SIZE);
  }

  private static void checkHalf(int half) {
    if (half != 0 && half != 1) {
      throw new IllegalArgumentException("half must be 0 or 1, was " + half);
    }
  }

  private static native int taken0(
      int fd,
      int takenFd,
      long takenBytes,
      long region,
      int cap,
      long slice,
      int slots,
      int mode,
      ByteBuffer keys,
      int kpos,
      ByteBuffer values,
      int vpos,
      int max,
      long jiffiesRef,
      long monoNsRef,
      long tickNs,
      long[] next);

  private static native int scan0(
      int fd,
      long from,
      long to,
      int mode,
      ByteBuffer keys,
      int kpos,
      ByteBuffer values,
      int vpos,
      int max,
      long jiffiesRef,
      long monoNsRef,
      long tickNs,
      long[] next);
}
