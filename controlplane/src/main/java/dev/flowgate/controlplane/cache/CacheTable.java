package dev.flowgate.controlplane.cache;

import dev.flowgate.bpf.LazyMemory;
import dev.flowgate.exporters.FlowColumns;
import java.nio.LongBuffer;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The flow cache's storage: a fixed-capacity open-addressing hash table of flows in two buffers of
 * longs outside the Java heap, so a million flows are two Java objects, not millions.
 *
 * <p><b>Entries</b> live densely in {@link #arena}, {@link #STRIDE} longs (80 bytes) each, ids
 * {@code 0 .. size-1}; removing an entry moves the last one into its place, so a scan over {@code
 * [0, size)} sees every live flow and nothing else. An entry is the compact 44-byte key in six
 * longs ({@link #K0} to {@link #K5}; the upper half of {@code K5} carries the tcp flags, ToS and ip
 * version, which are not key), the packets, bytes, first and last ms, and the gateway words of the
 * flow's first row ({@link #IFACES} to {@link #DST_MAC}: both interfaces, next hop, forwarding
 * status, MACs; not key).
 *
 * <p><b>Index</b>: {@link #index} is a power-of-two array of at least twice the entries it indexes
 * (load at most 1/2), linear probing. It starts at {@link #FIRST_INDEX_SLOTS} slots and doubles as
 * entries arrive, up to twice the capacity or more: its memory follows the flows held, not the
 * capacity (a million flows in a cache sized for four million: 16 MB of index, not 64 MB, every
 * page of which a hashed index touches). A doubling moves each slot by its stored hash, never
 * rehashing a key. A slot holds {@code hash32 << 32 | (id + 1)}, 0 when empty: a probe
 * compares the 32-bit hash before it touches the entry, and removal shifts the following cluster
 * back (no tombstones, so probe lengths stay short under churn).
 *
 * <p>Key layout: {@code K0,K1} source address bytes 0-7 and 8-15 as little-endian longs, {@code
 * K2,K3} destination address, {@code K4 = srcPort | dstPort << 16 | ifindex << 32}, {@code K5} low
 * 32 bits {@code = vlanId | protocol << 16 | direction << 24}.
 */
final class CacheTable {

  static final int K0 = 0;
  static final int K1 = 1;
  static final int K2 = 2;
  static final int K3 = 3;
  static final int K4 = 4;
  static final int K5 = 5;
  static final int PACKETS = 6;
  static final int BYTES = 7;
  static final int FIRST_MS = 8;
  static final int LAST_MS = 9;

  /** ingressInterface | egressInterface &lt;&lt; 32. */
  static final int IFACES = 10;

  /** Next hop bytes 0-7 as stored (little-endian long), then bytes 8-15. */
  static final int NEXT_HOP0 = 11;

  static final int NEXT_HOP1 = 12;

  /** sourceMacAddress &lt;&lt; 8 | forwardingStatus. */
  static final int SRC_MAC_STATUS = 13;

  /** destinationMacAddress. */
  static final int DST_MAC = 14;

  /** Gateway words per entry ({@link #IFACES} to {@link #DST_MAC}). */
  static final int GATEWAY_LONGS = 5;

  /** Longs per entry. */
  static final int STRIDE = 15;

  /** The key part of {@link #K5}. */
  static final long K5_KEY_MASK = 0xFFFF_FFFFL;

  /**
   * The entries' address ({@link #get}, {@link #put}); memory committed page by page as ids are
   * used ({@link LazyMemory}).
   */
  final long arena;

  /** Index slots of a new table (4 KB pages: 512 KB), fewer if the capacity needs fewer. */
  static final int FIRST_INDEX_SLOTS = 1 << 16;

  /** The index's address; committed page by page as slots are written; moves when it grows. */
  long index;

  private int indexSlots;

  private final LazyMemory arenaMemory;
  private LazyMemory indexMemory;
  private int mask;
  private final int maxIndexSlots;
  private final int capacity;
  private int size;

  CacheTable(int capacity) {
    this(capacity, FIRST_INDEX_SLOTS);
  }

  /** A table whose index starts at {@code firstIndexSlots} (a power of two; tests: small). */
  CacheTable(int capacity, int firstIndexSlots) {
    if (capacity < 1 || capacity > (Integer.MAX_VALUE - 8) / STRIDE) {
      throw new IllegalArgumentException("capacity out of range: " + capacity);
    }
    this.capacity = capacity;
    // sized for the capacity but costing only the pages in use: an idle cache is a few pages, not
    // 120 + 32 bytes per flow of capacity (a long[] would be zeroed, so committed, at once)
    this.arenaMemory = LazyMemory.map((long) capacity * STRIDE * Long.BYTES);
    this.arena = MemoryUtil.getByteBufferAddress(arenaMemory.buffer());
    this.maxIndexSlots = maxIndexSlots(capacity);
    if (Integer.bitCount(firstIndexSlots) != 1) {
      throw new IllegalArgumentException("index slots must be a power of two: " + firstIndexSlots);
    }
    mapIndex(Math.min(maxIndexSlots, firstIndexSlots));
  }

  /** Index slots of a full table of {@code capacity} entries: at least twice it, a power of two. */
  static int maxIndexSlots(int capacity) {
    return Integer.highestOneBit(Math.max(2, capacity - 1)) << 2;
  }

  private void mapIndex(int slots) {
    this.indexMemory = LazyMemory.map((long) slots * Long.BYTES);
    this.index = MemoryUtil.getByteBufferAddress(indexMemory.buffer());
    this.indexSlots = slots;
    this.mask = slots - 1;
  }

  /** Doubles the index: each entry moves to its stored hash's slot in the larger one. */
  private void growIndex() {
    LazyMemory oldMemory = indexMemory;
    long old = index;
    int oldSlots = indexSlots;
    mapIndex(oldSlots << 1);
    for (int i = 0; i < oldSlots; i++) {
      long e = get(old, i);
      if (e != 0) {
        put(index, emptySlot((int) (e >>> 32)), e);
      }
    }
    oldMemory.close();
  }

  /** The first empty slot from {@code tag}'s (a key the index does not hold). */
  private int emptySlot(int tag) {
    int slot = tag & mask;
    while (get(index, slot) != 0) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  int capacity() {
    return capacity;
  }

  /** Slots of the index now. */
  int indexSlots() {
    return indexSlots;
  }

  /** Slots the index reaches when the table is full. */
  int maxIndexSlots() {
    return maxIndexSlots;
  }

  /**
   * Long {@code i} at {@code base} ({@link #arena} or {@link #index}). Unchecked: the callers keep
   * {@code i} below the capacity times {@link #STRIDE}, or below {@link #indexSlots()}; the tests
   * ran these paths over bounds-checked buffers.
   */
  static long get(long base, int i) {
    return MemoryUtil.getLong(base + ((long) i << 3));
  }

  /** Sets long {@code i} at {@code base} (see {@link #get}). */
  static void put(long base, int i, long value) {
    MemoryUtil.putLong(base + ((long) i << 3), value);
  }

  /** The first {@code size} entries as longs, read-only, in id order. */
  LongBuffer entries() {
    return arenaMemory.buffer().asLongBuffer().limit(size * STRIDE).asReadOnlyBuffer();
  }

  int size() {
    return size;
  }

  boolean isFull() {
    return size == capacity;
  }

  // the packed words: K4 = srcPort | dstPort << 16 | ifindex << 32; K5 = vlanId | protocol << 16
  // | direction << 24 (key), then tcpFlags << 32 | tos << 40 | ipVersion << 48 (not key)

  /** K4 of a key. */
  static long k4(int srcPort, int dstPort, long ifindex) {
    return srcPort | (long) dstPort << 16 | ifindex << 32;
  }

  /** The key part of K5. */
  static long k5(int vlanId, int protocol, int direction) {
    return vlanId | (long) protocol << 16 | (long) direction << 24;
  }

  /** The part of K5 that is not key: the OR of TCP flags, the ToS and the IP version. */
  static long k5Meta(int tcpFlags, int tos, int ipVersion) {
    return (long) tcpFlags << 32 | (long) tos << 40 | (long) ipVersion << 48;
  }

  /** The TCP flags bits of a K5 (to OR in a row's flags: {@code k5 |= tcpFlags(...)}). */
  static long k5TcpFlags(int tcpFlags) {
    return (long) tcpFlags << 32;
  }

  static int srcPort(long k4) {
    return (int) k4 & 0xFFFF;
  }

  static int dstPort(long k4) {
    return (int) (k4 >>> 16) & 0xFFFF;
  }

  static int ifindex(long k4) {
    return (int) (k4 >>> 32);
  }

  static int vlanId(long k5) {
    return (int) k5 & 0xFFFF;
  }

  static int protocol(long k5) {
    return (int) (k5 >>> 16) & 0xFF;
  }

  static int direction(long k5) {
    return (int) (k5 >>> 24) & 0xFF;
  }

  static int tcpFlags(long k5) {
    return (int) (k5 >>> 32) & 0xFF;
  }

  static int tos(long k5) {
    return (int) (k5 >>> 40) & 0xFF;
  }

  static int ipVersion(long k5) {
    return (int) (k5 >>> 48) & 0xFF;
  }

  /** Reads row {@code r}'s gateway words into {@code g} at {@code at} (IFACES order). */
  static void readGateway(FlowColumns in, int r, long[] g, int at) {
    g[at] = in.ingressInterface(r) | in.egressInterface(r) << 32;
    g[at + 1] = in.nextHopWord(r, 0);
    g[at + 2] = in.nextHopWord(r, 1);
    g[at + 3] = in.srcMac(r) << 8 | in.forwardingStatus(r);
    g[at + 4] = in.dstMac(r);
  }

  /**
   * Reads the compact keys ({@link #K0} to {@link #K5}, six longs a row) of rows {@code [from, from
   * + count)} of a batch into {@code keys} and their hashes into {@code hashes}.
   */
  static void readKeys(FlowColumns in, int from, int count, long[] keys, long[] hashes) {
    for (int j = 0; j < count; j++) {
      int r = from + j;
      int o = j * 6;
      long k0 = in.srcWord(r, 0);
      long k1 = in.srcWord(r, 1);
      long k2 = in.dstWord(r, 0);
      long k3 = in.dstWord(r, 1);
      long k4 = k4(in.srcPort(r), in.dstPort(r), in.ifindex(r));
      long k5 = k5(in.vlanId(r), in.protocol(r), in.direction(r));
      keys[o] = k0;
      keys[o + 1] = k1;
      keys[o + 2] = k2;
      keys[o + 3] = k3;
      keys[o + 4] = k4;
      keys[o + 5] = k5;
      hashes[j] = hash(k0, k1, k2, k3, k4, k5);
    }
  }

  /** Mixes the key's six longs (only the key bits of k5) into a 64-bit hash. */
  static long hash(long k0, long k1, long k2, long k3, long k4, long k5) {
    long h = 0x9E3779B97F4A7C15L;
    h = (h ^ k0) * 0xBF58476D1CE4E5B9L;
    h = (Long.rotateLeft(h, 29) ^ k1) * 0x94D049BB133111EBL;
    h = (Long.rotateLeft(h, 29) ^ k2) * 0xBF58476D1CE4E5B9L;
    h = (Long.rotateLeft(h, 29) ^ k3) * 0x94D049BB133111EBL;
    h = (Long.rotateLeft(h, 29) ^ k4) * 0xBF58476D1CE4E5B9L;
    h = (Long.rotateLeft(h, 29) ^ k5) * 0x94D049BB133111EBL;
    return h ^ (h >>> 31) ^ (h >>> 47);
  }

  /**
   * Looks a key up.
   *
   * @return its entry id, or {@code -1 - slot} where {@code slot} is the empty index slot where
   *     {@link #insertAt} would put it (valid until the next insert or remove)
   */
  int probe(long h, long k0, long k1, long k2, long k3, long k4, long k5) {
    final long idx = index;
    final long a = arena;
    final int tag = (int) h;
    int slot = tag & mask;
    while (true) {
      long e = get(idx, slot);
      if (e == 0) {
        return -1 - slot;
      }
      if ((int) (e >>> 32) == tag) {
        int id = (int) e - 1;
        int b = id * STRIDE;
        if (get(a, b + K0) == k0
            && get(a, b + K1) == k1
            && get(a, b + K2) == k2
            && get(a, b + K3) == k3
            && get(a, b + K4) == k4
            && (get(a, b + K5) & K5_KEY_MASK) == k5) {
          return id;
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Touches what the lookups of a block of keys will read: first every index slot (independent
   * loads, so their cache misses overlap), then the entry each slot's probe leads to. The merge
   * calls this for a block of rows before it looks them up one by one: a million-flow table is far
   * larger than the CPU caches, and a lookup that waits for its misses alone runs several times
   * slower. Returns a value derived from the loads only so the JIT keeps them.
   */
  long prefetch(long[] hashes, int count) {
    final long idx = index;
    final long a = arena;
    long sink = 0;
    for (int j = 0; j < count; j++) {
      sink += get(idx, (int) hashes[j] & mask);
    }
    for (int j = 0; j < count; j++) {
      int tag = (int) hashes[j];
      int slot = tag & mask;
      long e;
      while ((e = get(idx, slot)) != 0 && (int) (e >>> 32) != tag) {
        slot = (slot + 1) & mask;
      }
      if (e != 0) {
        int b = ((int) e - 1) * STRIDE;
        sink += get(a, b) + get(a, b + LAST_MS);
      }
    }
    return sink;
  }

  /**
   * Adds a key with zero counters at an empty slot {@link #probe} returned (or where it moved, if
   * the index grows for this entry); the table must not be full. Returns the new entry's id.
   */
  int insertAt(int slot, long h, long k0, long k1, long k2, long k3, long k4, long k5) {
    if (size + 1 > indexSlots >> 1 && indexSlots < maxIndexSlots) {
      growIndex();
      slot = emptySlot((int) h);
    }
    int id = size++;
    int b = id * STRIDE;
    long a = arena;
    put(a, b + K0, k0);
    put(a, b + K1, k1);
    put(a, b + K2, k2);
    put(a, b + K3, k3);
    put(a, b + K4, k4);
    put(a, b + K5, k5);
    put(a, b + PACKETS, 0);
    put(a, b + BYTES, 0);
    put(a, b + FIRST_MS, Long.MAX_VALUE);
    put(a, b + LAST_MS, Long.MIN_VALUE);
    for (int w = IFACES; w < STRIDE; w++) {
      put(a, b + w, 0);
    }
    put(index, slot, ((long) (int) h << 32) | (id + 1L));
    return id;
  }

  /**
   * Removes entry {@code id}. The last entry (id {@code size-1}) moves into its place, so a caller
   * scanning ids upwards looks at {@code id} again.
   */
  void remove(int id) {
    deleteSlot(slotOf(id));
    int last = size - 1;
    if (id != last) {
      int lastSlot = slotOf(last);
      long a = arena;
      int from = last * STRIDE;
      int to = id * STRIDE;
      for (int w = 0; w < STRIDE; w++) {
        put(a, to + w, get(a, from + w));
      }
      put(index, lastSlot, (get(index, lastSlot) & 0xFFFF_FFFF_0000_0000L) | (id + 1L));
    }
    size = last;
  }

  /** The hash of entry {@code id}'s key. */
  private long entryHash(int id) {
    int b = id * STRIDE;
    long a = arena;
    return hash(
        get(a, b + K0),
        get(a, b + K1),
        get(a, b + K2),
        get(a, b + K3),
        get(a, b + K4),
        get(a, b + K5) & K5_KEY_MASK);
  }

  /**
   * True when removing {@code leaving} of the entries at once costs less by {@link #retainFirst}
   * (the survivors compacted, the index built anew) than by {@link #remove} one by one: when at
   * least a third of the entries leave and they are at least a sixteenth of the index's slots.
   * {@link #remove} finds two index slots by hash per entry (the leaving one's and the last one's,
   * which moves into its place), each a cache and TLB miss in a large table: 300-450 ns a flow at
   * 1M flows on the 2-CPU VM, where a rebuild put a survivor back in ~135 ns (BENCHMARKS.md, "flow
   * cache expiry"); so it pays from about a third leaving. Touching the slots of a block of
   * removals first (as the merge does) did not make {@link #remove} cheaper there.
   */
  boolean retainPays(int leaving) {
    return leaving > 0 && 2L * leaving >= size - leaving && (long) leaving * 16 >= indexSlots;
  }

  /**
   * Copies entry {@code from} over entry {@code to} (one the caller no longer wants) without
   * touching the index: between this and {@link #retainFirst} the index is stale.
   */
  void moveEntry(int from, int to) {
    long a = arena;
    int f = from * STRIDE;
    int t = to * STRIDE;
    for (int w = 0; w < STRIDE; w++) {
      put(a, t + w, get(a, f + w));
    }
  }

  /**
   * Keeps entries {@code [0, kept)} (the caller compacted the survivors there with {@link
   * #moveEntry}) and drops the rest: the index is replaced by a fresh one of the same size (zero
   * pages, the old one's memory given back) and each kept entry is put at the first empty slot from
   * its hash. One sequential pass over the kept entries and one index write each.
   */
  void retainFirst(int kept) {
    if (kept < 0 || kept > size) {
      throw new IllegalArgumentException("kept " + kept + " of " + size + " entries");
    }
    LazyMemory oldMemory = indexMemory;
    mapIndex(indexSlots);
    oldMemory.close();
    long[] hashes = new long[RETAIN_BLOCK];
    long sink = 0;
    for (int from = 0; from < kept; from += RETAIN_BLOCK) {
      int n = Math.min(RETAIN_BLOCK, kept - from);
      for (int j = 0; j < n; j++) {
        hashes[j] = entryHash(from + j);
        sink += get(index, (int) hashes[j] & mask); // the block's misses overlap
      }
      for (int j = 0; j < n; j++) {
        long h = hashes[j];
        put(index, emptySlot((int) h), ((long) (int) h << 32) | (from + j + 1L));
      }
    }
    size = kept;
    retainSink = sink;
  }

  /** Entries indexed together by {@link #retainFirst}, their index slots touched first. */
  private static final int RETAIN_BLOCK = 32;

  /** Keeps {@link #retainFirst}'s touching loads (the JIT drops loads whose value is unused). */
  @SuppressWarnings("unused")
  private long retainSink;

  /** Empties the table. */
  void clear() {
    if ((long) size * 16 < indexSlots) {
      // only the slots in use (slotOf still finds an id past slots already emptied): the untouched
      // pages stay uncommitted
      for (int id = size - 1; id >= 0; id--) {
        put(index, slotOf(id), 0L);
      }
    } else {
      for (int i = 0; i < indexSlots; i++) {
        put(index, i, 0L);
      }
    }
    size = 0;
  }

  /** Gives the memory back; the table must not be used after. */
  void free() {
    arenaMemory.close();
    indexMemory.close();
  }

  private int slotOf(int id) {
    long h = entryHash(id);
    int slot = (int) h & mask;
    long want = id + 1L;
    while ((get(index, slot) & 0xFFFF_FFFFL) != want) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  /** Backward-shift deletion: pulls later members of the cluster into the hole when they may. */
  private void deleteSlot(int hole) {
    final long idx = index;
    int i = hole;
    int j = hole;
    while (true) {
      j = (j + 1) & mask;
      long e = get(idx, j);
      if (e == 0) {
        break;
      }
      int ideal = (int) (e >>> 32) & mask;
      if (((j - ideal) & mask) >= ((j - i) & mask)) {
        put(idx, i, e);
        i = j;
      }
    }
    put(idx, i, 0);
  }
}
