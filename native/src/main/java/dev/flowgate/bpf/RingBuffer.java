package dev.flowgate.bpf;

import java.nio.ByteBuffer;

/**
 * Reads a BPF ring buffer map ({@link BpfMap#TYPE_RINGBUF}) into a direct buffer, many records per
 * JNI call.
 *
 * <p>Each record lands as {@code [u32 length][record bytes][zero padding to 8]} (little-endian
 * length); walk them with {@link #recordLength} and {@link #nextRecord}. When the buffer fills,
 * consumption stops and the remaining records wait in the kernel (the one that did not fit is kept
 * here) for the next call: none is lost. Not thread-safe: one reader thread.
 */
public final class RingBuffer implements AutoCloseable {
  /** Bytes of the length prefix before each record. */
  public static final int RECORD_HEADER_SIZE = 4;

  private final String name;
  private long handle;

  /** Opens a reader on a ring buffer map (which must stay open while this is used). */
  public RingBuffer(BpfMap ringbuf) {
    NativeBpf.ensureAvailable();
    this.name = ringbuf.name();
    long h = open0(ringbuf.fd());
    if (h < 0) {
      throw BpfException.of("open ring buffer " + name, h);
    }
    this.handle = h;
  }

  /**
   * Waits up to {@code timeoutMs} (0: do not wait, -1: forever) for records, then copies as many as
   * fit into {@code out} from its position to its limit. Position and limit do not change.
   *
   * @return the number of bytes written (0 on timeout)
   * @throws BpfException ENOSPC if {@code out} cannot hold even the next record
   */
  public int poll(ByteBuffer out, int timeoutMs) {
    requireOpen();
    if (!out.isDirect()) {
      throw new IllegalArgumentException("ring buffer output must be a direct buffer");
    }
    return BpfException.check(
        "poll ring buffer " + name, poll0(handle, out, out.position(), out.remaining(), timeoutMs));
  }

  /** {@link #poll} without waiting. */
  public int consume(ByteBuffer out) {
    return poll(out, 0);
  }

  /**
   * The epoll fd that becomes readable when records arrive, for callers that multiplex; owned by
   * this reader.
   */
  public int epollFd() {
    requireOpen();
    return epollFd0(handle);
  }

  /** Length of the record whose prefix starts at absolute index {@code offset} of {@code buf}. */
  public static int recordLength(ByteBuffer buf, int offset) {
    int v = buf.getInt(offset);
    return buf.order() == java.nio.ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
  }

  /** Absolute index of the record data whose prefix starts at {@code offset}. */
  public static int recordData(int offset) {
    return offset + RECORD_HEADER_SIZE;
  }

  /** Index of the prefix after the record of {@code length} bytes whose prefix is at offset. */
  public static int nextRecord(int offset, int length) {
    return offset + ((RECORD_HEADER_SIZE + length + 7) & ~7);
  }

  /** Frees the reader (and any record kept back). Idempotent. */
  @Override
  public void close() {
    if (handle != 0) {
      close0(handle);
      handle = 0;
    }
  }

  private void requireOpen() {
    if (handle == 0) {
      throw new IllegalStateException("ring buffer reader " + name + " is closed");
    }
  }

  private static native long open0(int mapFd);

  private static native int poll0(long handle, ByteBuffer out, int pos, int cap, int timeoutMs);

  private static native int epollFd0(long handle);

  private static native void close0(long handle);
}
