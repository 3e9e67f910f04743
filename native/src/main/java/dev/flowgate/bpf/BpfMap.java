package dev.flowgate.bpf;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A BPF map, by file descriptor: element access, whole-map batch reads and drains, and the slots of
 * a map of maps.
 *
 * <p>Keys and values are passed in direct buffers (see {@link NativeBpf#allocate(int)}), read or
 * written at the buffer's position; positions and limits are never changed. A per-CPU map's value
 * is {@link #valueBufferSize()} bytes: {@link NativeBpf#nrPossibleCpus()} values, each padded to 8
 * bytes. Maps from {@link BpfObject#map(String)} belong to their object; maps from {@link
 * #openPinned(Path)} or {@link #openById(int)} own their fd and release it on {@link #close()}.
 */
public final class BpfMap implements AutoCloseable {
  /** BPF_MAP_TYPE_HASH. */
  public static final int TYPE_HASH = 1;

  /** BPF_MAP_TYPE_ARRAY. */
  public static final int TYPE_ARRAY = 2;

  /** BPF_MAP_TYPE_PERCPU_HASH. */
  public static final int TYPE_PERCPU_HASH = 5;

  /** BPF_MAP_TYPE_PERCPU_ARRAY. */
  public static final int TYPE_PERCPU_ARRAY = 6;

  /** BPF_MAP_TYPE_LRU_HASH. */
  public static final int TYPE_LRU_HASH = 9;

  /** BPF_MAP_TYPE_LRU_PERCPU_HASH. */
  public static final int TYPE_LRU_PERCPU_HASH = 10;

  /** BPF_MAP_TYPE_ARRAY_OF_MAPS. */
  public static final int TYPE_ARRAY_OF_MAPS = 12;

  /** BPF_MAP_TYPE_HASH_OF_MAPS. */
  public static final int TYPE_HASH_OF_MAPS = 13;

  /** BPF_MAP_TYPE_RINGBUF. */
  public static final int TYPE_RINGBUF = 27;

  /** Update flag BPF_ANY: create or replace. */
  public static final long BPF_ANY = 0;

  /** Update flag BPF_NOEXIST: create only (EEXIST if present). */
  public static final long BPF_NOEXIST = 1;

  /** Update flag BPF_EXIST: replace only (ENOENT if absent). */
  public static final long BPF_EXIST = 2;

  private final String name;
  private final boolean owned;
  private int fd;
  private final int type;
  private final int keySize;
  private final int valueSize;
  private final int maxEntries;
  private final int id;
  private final int flags;
  private final int valueBufferSize;

  private BpfMap(String name, int fd, boolean owned) {
    this.name = name;
    this.fd = fd;
    this.owned = owned;
    int[] info = new int[6];
    int rc = info0(fd, info);
    if (rc < 0) {
      if (owned) {
        BpfFds.close(fd);
      }
      throw BpfException.of("map info " + name, rc);
    }
    this.type = info[0];
    this.keySize = info[1];
    this.valueSize = info[2];
    this.maxEntries = info[3];
    this.id = info[4];
    this.flags = info[5];
    this.valueBufferSize =
        isPerCpu(type) ? NativeBpf.nrPossibleCpus() * ((valueSize + 7) & ~7) : valueSize;
  }

  /** A map whose fd belongs to someone else (a BpfObject). */
  static BpfMap borrowed(String name, int fd) {
    return new BpfMap(name, fd, false);
  }

  /** Opens a map pinned on bpffs; the returned map owns its fd. */
  public static BpfMap openPinned(Path path) {
    int fd = BpfFds.openPinned(path);
    return new BpfMap(path.getFileName().toString(), fd, true);
  }

  /** Opens a map by its kernel id (e.g. from {@link #innerMapId(int)}); owns its fd. */
  public static BpfMap openById(int id) {
    NativeBpf.ensureAvailable();
    int fd = BpfException.check("open map id " + id, fdById0(id));
    return new BpfMap("id " + id, fd, true);
  }

  private static boolean isPerCpu(int type) {
    return type == TYPE_PERCPU_HASH || type == TYPE_PERCPU_ARRAY || type == TYPE_LRU_PERCPU_HASH;
  }

  /** The name it was found by (object map name, pin file name, or "id N"). */
  public String name() {
    return name;
  }

  /** The map's file descriptor. */
  public int fd() {
    requireOpen();
    return fd;
  }

  /** The kernel's id of this map (stable while it exists). */
  public int id() {
    return id;
  }

  /** BPF_MAP_TYPE_* ({@link #TYPE_LRU_HASH} ...). */
  public int type() {
    return type;
  }

  /** Key size in bytes. */
  public int keySize() {
    return keySize;
  }

  /** Value size in bytes as declared (per CPU for per-CPU maps; 4, a map id, for maps of maps). */
  public int valueSize() {
    return valueSize;
  }

  /** Capacity. */
  public int maxEntries() {
    return maxEntries;
  }

  /** BPF_F_* map flags. */
  public int flags() {
    return flags;
  }

  /** Whether values are per CPU. */
  public boolean isPerCpu() {
    return isPerCpu(type);
  }

  /**
   * Bytes of one value as user space reads it: {@link #valueSize()}, or for per-CPU maps
   * nrPossibleCpus * round_up(valueSize, 8) (CPU i's value at i * round_up(valueSize, 8)).
   */
  public int valueBufferSize() {
    return valueBufferSize;
  }

  /**
   * Reads one value.
   *
   * @return false if the key is absent
   */
  public boolean lookup(ByteBuffer key, ByteBuffer value) {
    int rc =
        lookup0(
            fd(),
            direct(key, keySize),
            key.position(),
            keySize,
            direct(value, valueBufferSize),
            value.position(),
            valueBufferSize,
            0);
    if (rc == -2) { // ENOENT
      return false;
    }
    BpfException.check("lookup in " + name, rc);
    return true;
  }

  /** Creates or replaces one value; {@code flags} is {@link #BPF_ANY}, NOEXIST or EXIST. */
  public void update(ByteBuffer key, ByteBuffer value, long flags) {
    BpfException.check(
        "update " + name,
        update0(
            fd(),
            direct(key, keySize),
            key.position(),
            keySize,
            direct(value, valueBufferSize),
            value.position(),
            valueBufferSize,
            flags));
  }

  /**
   * Deletes one entry.
   *
   * @return false if the key was absent
   */
  public boolean delete(ByteBuffer key) {
    int rc = delete0(fd(), direct(key, keySize), key.position(), keySize);
    if (rc == -2) {
      return false;
    }
    BpfException.check("delete from " + name, rc);
    return true;
  }

  /**
   * How many entries {@code keys} and {@code values} have room for from their positions to their
   * limits.
   */
  public int batchCapacity(ByteBuffer keys, ByteBuffer values) {
    return Math.min(keys.remaining() / keySize, values.remaining() / valueBufferSize);
  }

  /**
   * Moves entries out of a hash map into the buffers, in one JNI call: entry i's key at {@code
   * keys.position() + i * keySize()}, its value at {@code values.position() + i *
   * valueBufferSize()}. Stops when the map is empty or the buffers are full. With room for {@link
   * #maxEntries()} entries one call always empties the map; with less, call again until it returns
   * 0 (the entries not returned stay in the map).
   *
   * @return the number of entries moved
   */
  public int lookupAndDeleteBatch(ByteBuffer keys, ByteBuffer values) {
    return batch(keys, values, true);
  }

  /**
   * Copies every entry of the map into the buffers in one JNI call, laid out as in {@link
   * #lookupAndDeleteBatch}; the buffers must have room for {@link #maxEntries()} entries (so the
   * read is one consistent pass from the start).
   *
   * @return the number of entries copied
   */
  public int lookupBatch(ByteBuffer keys, ByteBuffer values) {
    if (batchCapacity(keys, values) < maxEntries) {
      throw new IllegalArgumentException(
          "lookupBatch of "
              + name
              + " needs room for "
              + maxEntries
              + " entries, buffers hold "
              + batchCapacity(keys, values));
    }
    return batch(keys, values, false);
  }

  private int batch(ByteBuffer keys, ByteBuffer values, boolean delete) {
    int max = batchCapacity(direct(keys, 0), direct(values, 0));
    int rc =
        lookupBatch0(
            fd(),
            keys,
            keys.position(),
            values,
            values.position(),
            max,
            keySize,
            valueBufferSize,
            delete);
    return BpfException.check(
        (delete ? "lookup and delete batch in " : "lookup batch in ") + name, rc);
  }

  /**
   * Points slot {@code index} of this map of maps at {@code inner}. Returns once every BPF program
   * running at the time has finished, so no program still writes through the old one.
   */
  public void setInnerMap(int index, BpfMap inner) {
    ByteBuffer key = NativeBpf.allocate(4).putInt(0, index);
    ByteBuffer value = NativeBpf.allocate(4).putInt(0, inner.fd());
    BpfException.check(
        "set slot " + index + " of " + name + " to " + inner.name(),
        update0(fd(), key, 0, 4, value, 0, 4, BPF_ANY));
  }

  /**
   * The kernel id of the map in slot {@code index} of this map of maps (compare with {@link
   * #id()}), or 0 if the slot is empty.
   */
  public int innerMapId(int index) {
    ByteBuffer key = NativeBpf.allocate(4).putInt(0, index);
    ByteBuffer value = NativeBpf.allocate(4);
    int rc = lookup0(fd(), key, 0, 4, value, 0, 4, 0);
    if (rc == -2) {
      return 0;
    }
    BpfException.check("read slot " + index + " of " + name, rc);
    return value.getInt(0);
  }

  /** Pins this map at {@code path} on bpffs. */
  public void pin(Path path) {
    BpfFds.pin(fd(), path);
  }

  /** Releases the fd if this map owns it; maps of a BpfObject are released with the object. */
  @Override
  public void close() {
    if (owned && fd >= 0) {
      BpfFds.close(fd);
    }
    fd = -1;
  }

  private void requireOpen() {
    if (fd < 0) {
      throw new IllegalStateException("map " + name + " is closed");
    }
  }

  private static ByteBuffer direct(ByteBuffer buf, int need) {
    if (!buf.isDirect()) {
      throw new IllegalArgumentException("BPF map buffers must be direct");
    }
    if (buf.remaining() < need) {
      throw new IllegalArgumentException(
          "buffer has " + buf.remaining() + " bytes left, needs " + need);
    }
    return buf;
  }

  private static native int info0(int fd, int[] out);

  private static native int lookup0(
      int fd, ByteBuffer key, int kpos, int ksz, ByteBuffer val, int vpos, int vsz, long flags);

  private static native int update0(
      int fd, ByteBuffer key, int kpos, int ksz, ByteBuffer val, int vpos, int vsz, long flags);

  private static native int delete0(int fd, ByteBuffer key, int kpos, int ksz);

  private static native int lookupBatch0(
      int fd,
      ByteBuffer keys,
      int kpos,
      ByteBuffer vals,
      int vpos,
      int max,
      int ksz,
      int vstride,
      boolean delete);

  private static native int fdById0(int id);
}
