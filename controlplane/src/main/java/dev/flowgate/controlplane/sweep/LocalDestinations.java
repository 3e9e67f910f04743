package dev.flowgate.controlplane.sweep;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Tells a destination this host consumes from one it cannot route, for flows whose first packet the
 * kernel's FIB answered "not forwarded" ({@code FG_FWD_NOT_FORWARDED}: the kernel gives that answer
 * for a local destination and for no route alike). Consumed (RFC 7270 code 195, "terminate for
 * us"): one of this network namespace's addresses, a multicast address, or the limited broadcast
 * address; anything else is dropped as unroutable (131).
 *
 * <p>The addresses are read from the interfaces of the network namespace flowgate runs in (the
 * ioctls and /proc/self/net behind {@link NetworkInterface}), at most once a second and only when a
 * sweep holds such a flow; an address added or removed in between is seen a second late.
 */
public final class LocalDestinations {

  /** forwardingStatus: Consumed, terminate for us (RFC 7270). */
  public static final int CONSUMED_FOR_US = 195;

  /** forwardingStatus: Dropped, unroutable (RFC 7270). */
  public static final int DROPPED_UNROUTABLE = 131;

  /** The kernel's marker for "not forwarded" (flowgate.h FG_FWD_NOT_FORWARDED). */
  public static final int NOT_FORWARDED = 1;

  private static final long REFRESH_NS = 1_000_000_000L;

  private final AddressSource source;
  private final LongSupplier clock;
  private Set<Key> local = Set.of();
  private long readAt;
  private boolean read;

  /** The addresses of some interfaces; a test's fixed list, or the namespace's own. */
  @FunctionalInterface
  public interface AddressSource {
    List<InetAddress> addresses() throws SocketException;
  }

  LocalDestinations(AddressSource source, LongSupplier clock) {
    this.source = source;
    this.clock = clock;
  }

  /** The addresses of this network namespace's interfaces. */
  public static LocalDestinations ofThisNamespace() {
    return new LocalDestinations(LocalDestinations::interfaceAddresses, System::nanoTime);
  }

  /** A fixed set of local addresses (tests). */
  public static LocalDestinations of(List<InetAddress> addresses) {
    return new LocalDestinations(() -> addresses, System::nanoTime);
  }

  /**
   * The RFC 7270 code for a "not forwarded" flow to {@code dst} (16 bytes, IPv4-mapped for IPv4;
   * read from {@code dst0} and {@code dst1}, its bytes 0-7 and 8-15 as little-endian longs as in
   * flow_key).
   */
  public int resolve(long dst0, long dst1) {
    Key k = new Key(dst0, dst1);
    if (isMulticastOrBroadcast(dst0, dst1)) {
      return CONSUMED_FOR_US;
    }
    return addresses().contains(k) ? CONSUMED_FOR_US : DROPPED_UNROUTABLE;
  }

  private Set<Key> addresses() {
    long now = clock.getAsLong();
    if (!read || now - readAt >= REFRESH_NS) {
      read = true;
      readAt = now;
      Set<Key> s = new HashSet<>();
      try {
        for (InetAddress a : source.addresses()) {
          s.add(Key.of(a.getAddress()));
        }
      } catch (SocketException e) {
        // keep the last set: the next refresh tries again
        return local;
      }
      local = s;
    }
    return local;
  }

  private static boolean isMulticastOrBroadcast(long dst0, long dst1) {
    boolean v4 = dst0 == 0 && (dst1 & 0xFFFF_FFFFL) == 0xFFFF_0000L;
    if (v4) {
      int b0 = (int) (dst1 >>> 32) & 0xFF; // first octet of a.b.c.d (little-endian long)
      return (b0 & 0xF0) == 0xE0 || (dst1 >>> 32) == 0xFFFF_FFFFL;
    }
    return (dst0 & 0xFF) == 0xFF; // ff00::/8
  }

  private static List<InetAddress> interfaceAddresses() throws SocketException {
    List<InetAddress> all = new ArrayList<>();
    for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      all.addAll(Collections.list(n.getInetAddresses()));
    }
    return all;
  }

  /** An address as flow_key holds it: 16 bytes, IPv4-mapped, as two little-endian longs. */
  private record Key(long w0, long w1) {
    static Key of(byte[] a) {
      byte[] m = new byte[16];
      if (a.length == 4) {
        m[10] = (byte) 0xFF;
        m[11] = (byte) 0xFF;
        System.arraycopy(a, 0, m, 12, 4);
      } else {
        System.arraycopy(a, 0, m, 0, 16);
      }
      return new Key(le(m, 0), le(m, 8));
    }

    private static long le(byte[] b, int at) {
      long v = 0;
      for (int i = 7; i >= 0; i--) {
        v = v << 8 | (b[at + i] & 0xFF);
      }
      return v;
    }
  }
}
