package dev.flowgate.exporters.sample;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Packet samples read in one pass over the kernel's ring buffer: per sample its wall-clock time,
 * interface, direction, original length and the captured bytes, packed in one array with no object
 * per sample. Immutable once {@link Builder#build() built}, so one batch is shared by every
 * subscriber that reads it, on any thread.
 *
 * <p>Each sample is {@value #HEADER} bytes of header (time ns, ifindex, original length, captured
 * length, direction, slot, little-endian) followed by the captured bytes.
 */
public final class SampleBatch {

  /** Bytes of a sample's header in {@link #data()}. */
  static final int HEADER = 24;

  private static final int TIME = 0; // 8: wall-clock epoch ns
  private static final int IFINDEX = 8; // 4
  private static final int ORIG_LEN = 12; // 4
  private static final int CAP_LEN = 16; // 2
  private static final int DIRECTION = 18; // 1, then 1 pad
  private static final int SLOT = 20; // 4

  private static final VarHandle SHORT =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** A batch with no sample. */
  public static final SampleBatch EMPTY = new SampleBatch(new byte[0], new int[0], 0);

  private final byte[] data;
  private final int[] offsets;
  private final int size;

  private SampleBatch(byte[] data, int[] offsets, int size) {
    this.data = data;
    this.offsets = offsets;
    this.size = size;
  }

  /** Samples in the batch. */
  public int size() {
    return size;
  }

  /** Wall-clock time the kernel took sample {@code i}, in ns since the epoch. */
  public long timeNanos(int i) {
    return (long) LONG.get(data, offsets[i] + TIME);
  }

  /** The interface's ifindex. */
  public int ifindex(int i) {
    return (int) INT.get(data, offsets[i] + IFINDEX);
  }

  /** The frame's length on the wire (what pcapng calls the original length). */
  public int originalLength(int i) {
    return (int) INT.get(data, offsets[i] + ORIG_LEN);
  }

  /** Bytes captured, from the Ethernet header on: at most the snap length. */
  public int capturedLength(int i) {
    return Short.toUnsignedInt((short) SHORT.get(data, offsets[i] + CAP_LEN));
  }

  /** 0 ingress, 1 egress (IPFIX flowDirection). */
  public int direction(int i) {
    return data[offsets[i] + DIRECTION];
  }

  /** The interface's totals slot (the kernel's counters are per slot). */
  public int slot(int i) {
    return (int) INT.get(data, offsets[i] + SLOT);
  }

  /** Index in {@link #data()} of sample {@code i}'s captured bytes. */
  public int frameOffset(int i) {
    return offsets[i] + HEADER;
  }

  /** The packed samples; read only (the batch is shared). */
  public byte[] data() {
    return data;
  }

  /** A batch of these samples only (by index, in order), sharing this batch's bytes. */
  public SampleBatch select(int[] indexes, int n) {
    int[] picked = new int[n];
    for (int k = 0; k < n; k++) {
      picked[k] = offsets[indexes[k]];
    }
    return new SampleBatch(data, picked, n);
  }

  /** Collects samples; not thread-safe; reusable after {@link #build()}. */
  public static final class Builder {
    private byte[] data;
    private int[] offsets;
    private int size;
    private int used;

    /** A builder with room for about {@code samples} samples of {@code snap} bytes (it grows). */
    public Builder(int samples, int snap) {
      this.data = new byte[Math.max(64, samples * (HEADER + snap))];
      this.offsets = new int[Math.max(4, samples)];
    }

    /**
     * Adds a sample whose {@code capLen} captured bytes are at {@code frame} of {@code src}
     * (absolute index; {@code src}'s position and limit do not change).
     */
    public Builder add(
        long timeNanos,
        int ifindex,
        int slot,
        int direction,
        int origLen,
        ByteBuffer src,
        int frame,
        int capLen) {
      int need = HEADER + capLen;
      if (used + need > data.length) {
        data = Arrays.copyOf(data, Math.max(data.length * 2, used + need));
      }
      if (size == offsets.length) {
        offsets = Arrays.copyOf(offsets, size * 2);
      }
      int at = used;
      LONG.set(data, at + TIME, timeNanos);
      INT.set(data, at + IFINDEX, ifindex);
      INT.set(data, at + ORIG_LEN, origLen);
      SHORT.set(data, at + CAP_LEN, (short) capLen);
      data[at + DIRECTION] = (byte) direction;
      data[at + DIRECTION + 1] = 0;
      INT.set(data, at + SLOT, slot);
      src.get(frame, data, at + HEADER, capLen);
      offsets[size++] = at;
      used += need;
      return this;
    }

    /** Adds a sample whose captured bytes are {@code frame}. */
    public Builder add(
        long timeNanos, int ifindex, int slot, int direction, int origLen, byte[] frame) {
      return add(
          timeNanos, ifindex, slot, direction, origLen, ByteBuffer.wrap(frame), 0, frame.length);
    }

    /** Samples added since the last build. */
    public int size() {
      return size;
    }

    /** The samples added so far as a batch of their own (copied); the builder starts empty. */
    public SampleBatch build() {
      if (size == 0) {
        return EMPTY;
      }
      SampleBatch b =
          new SampleBatch(Arrays.copyOf(data, used), Arrays.copyOf(offsets, size), size);
      size = 0;
      used = 0;
      return b;
    }
  }
}
