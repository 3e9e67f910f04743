package dev.flowgate.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Memory that costs nothing until it is written: an anonymous mapping ({@code mmap} with {@code
 * MAP_NORESERVE}) seen as a direct {@link ByteBuffer} in native byte order. It reads as zero, and
 * the kernel commits a page only when it is first written, so a table sized for the configured
 * maximum holds only the pages its entries touched. (A Java array or {@link
 * ByteBuffer#allocateDirect} zeroes, and so commits, all of it at once.)
 *
 * <p>The buffer must not be used after {@link #unmap}; the owner frees it exactly once.
 */
public final class LazyMemory {

  private LazyMemory() {}

  /**
   * Maps {@code size} bytes (1 to {@link Integer#MAX_VALUE}) of zeroed, uncommitted memory.
   *
   * @throws UncheckedIOException if the kernel refuses the mapping (ENOMEM)
   */
  public static ByteBuffer map(long size) {
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
    return wrap0(address, size).order(ByteOrder.nativeOrder());
  }

  /** Unmaps a buffer {@link #map} returned; its pages go back to the kernel. */
  public static void unmap(ByteBuffer buffer) {
    if (!buffer.isDirect()) {
      throw new IllegalArgumentException("not a mapped buffer");
    }
    int rc = unmap0(buffer);
    if (rc < 0) {
      throw new UncheckedIOException(new IOException("munmap: " + NativeBpf.strerror(-rc)));
    }
  }

  private static native long map0(long size);

  private static native ByteBuffer wrap0(long address, long size);

  private static native int unmap0(ByteBuffer buffer);
}
