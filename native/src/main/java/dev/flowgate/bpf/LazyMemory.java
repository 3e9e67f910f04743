package dev.flowgate.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Memory that costs nothing until it is written: an anonymous mapping ({@code mmap} with {@code
 * MAP_NORESERVE}) seen as a direct {@link ByteBuffer} in native byte order. It reads as zero, and
 * the kernel commits a page only when it is first written, so a table sized for the configured
 * maximum holds only the pages its entries touched. (A Java array or {@link
 * ByteBuffer#allocateDirect} zeroes, and so commits, all of it at once.)
 *
 * <p>{@link #close()} unmaps at once; a mapping that becomes unreachable is unmapped by a cleaner.
 * The buffer must not be used after either.
 */
public final class LazyMemory implements AutoCloseable {

  private static final Cleaner CLEANER = Cleaner.create();

  private final ByteBuffer buffer;
  private final Cleaner.Cleanable unmap;

  private LazyMemory(ByteBuffer buffer, long address, long size) {
    this.buffer = buffer;
    this.unmap = CLEANER.register(this, () -> unmap0(address, size));
  }

  /**
   * Maps {@code size} bytes (1 to {@link Integer#MAX_VALUE}) of zeroed, uncommitted memory.
   *
   * @throws UncheckedIOException if the kernel refuses the mapping (ENOMEM)
   */
  public static LazyMemory map(long size) {
    if (size < 1 || size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "a lazy mapping is 1.." + Integer.MAX_VALUE + " bytes, not " + size);
    }
    NativeBpf.ensureAvailable();
    long address = map0(size);
    if (address < 0) {
      throw new UncheckedIOException(
          new IOException("mmap of " + size + " bytes: " + NativeBpf.strerror((int) -address)));
    }
    return new LazyMemory(wrap0(address, size).order(ByteOrder.nativeOrder()), address, size);
  }

  /** The mapping as a buffer (position 0, limit = capacity = the size, native byte order). */
  public ByteBuffer buffer() {
    return buffer;
  }

  /** Unmaps now (once; later calls do nothing): its pages go back to the kernel. */
  @Override
  public void close() {
    unmap.clean();
  }

  private static native long map0(long size);

  private static native ByteBuffer wrap0(long address, long size);

  private static native int unmap0(long address, long size);
}
