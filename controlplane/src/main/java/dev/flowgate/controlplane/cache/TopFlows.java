package dev.flowgate.controlplane.cache;

import static dev.flowgate.controlplane.cache.CacheTable.BYTES;
import static dev.flowgate.controlplane.cache.CacheTable.FIRST_MS;
import static dev.flowgate.controlplane.cache.CacheTable.K0;
import static dev.flowgate.controlplane.cache.CacheTable.K1;
import static dev.flowgate.controlplane.cache.CacheTable.K2;
import static dev.flowgate.controlplane.cache.CacheTable.K3;
import static dev.flowgate.controlplane.cache.CacheTable.K4;
import static dev.flowgate.controlplane.cache.CacheTable.K5;
import static dev.flowgate.controlplane.cache.CacheTable.LAST_MS;
import static dev.flowgate.controlplane.cache.CacheTable.PACKETS;
import static dev.flowgate.controlplane.cache.CacheTable.STRIDE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Top-N query over a {@link CacheTable}: one pass (over the entries of the interface asked for, if
 * one is) keeping a min-heap of the {@code n} best entry ids by bytes, packets or bytes per second
 * (an {@code int[n]}), so the cost is {@code O(size log n)} time and {@code O(n)} memory, and only
 * the winners are copied out as {@link ActiveFlow}s.
 */
final class TopFlows {

  private TopFlows() {}

  /** Any interface: {@link #of}'s {@code ifindex} that filters nothing. */
  static final int ANY_IFINDEX = 0;

  /**
   * @param by what to rank by
   * @param ifindex only flows on this ifindex, or {@link #ANY_IFINDEX}
   */
  static List<ActiveFlow> of(CacheTable table, int n, FlowRanking by, int ifindex) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative, was " + n);
    }
    final long a = table.arena;
    int size = table.size();
    int k = Math.min(n, size);
    int[] heap = new int[k];
    int used = 0;
    for (int id = 0; id < size; id++) {
      if (ifindex != ANY_IFINDEX
          && CacheTable.ifindex(CacheTable.get(a, id * STRIDE + K4)) != ifindex) {
        continue;
      }
      if (used < k) {
        heap[used] = id;
        siftUp(heap, used++, a, by);
      } else if (k > 0 && value(a, id, by) > value(a, heap[0], by)) {
        heap[0] = id;
        siftDown(heap, k, a, by);
      }
    }
    k = used; // fewer when the filter left fewer
    ActiveFlow[] best = new ActiveFlow[k];
    for (int i = k - 1; i >= 0; i--) { // pop the smallest into the last place
      best[i] = copy(a, heap[0] * STRIDE);
      heap[0] = heap[i];
      siftDown(heap, i, a, by);
    }
    List<ActiveFlow> result = new ArrayList<>(k);
    for (ActiveFlow f : best) {
      result.add(f);
    }
    return result;
  }

  /** Copies entries {@code from} to {@code from + limit} (or the table's end), in id order. */
  static List<ActiveFlow> page(CacheTable table, int from, int limit) {
    int end = (int) Math.min(table.size(), (long) from + limit);
    List<ActiveFlow> out = new ArrayList<>(Math.max(0, end - from));
    for (int id = from; id < end; id++) {
      out.add(copy(table.arena, id * STRIDE));
    }
    return out;
  }

  /** The value entry {@code id} is ranked by. */
  private static long value(long a, int id, FlowRanking by) {
    int b = id * STRIDE;
    return switch (by) {
      case BYTES -> CacheTable.get(a, b + BYTES);
      case PACKETS -> CacheTable.get(a, b + PACKETS);
        // bytes per second of the flow's life so far, at least one second of it
      case RATE ->
          CacheTable.get(a, b + BYTES)
              * 1000
              / Math.max(1000, CacheTable.get(a, b + LAST_MS) - CacheTable.get(a, b + FIRST_MS));
    };
  }

  private static void siftUp(int[] heap, int i, long a, FlowRanking by) {
    int id = heap[i];
    long v = value(a, id, by);
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (value(a, heap[parent], by) <= v) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = id;
  }

  private static void siftDown(int[] heap, int used, long a, FlowRanking by) {
    if (used == 0) {
      return;
    }
    int i = 0;
    int id = heap[0];
    long v = value(a, id, by);
    while (true) {
      int child = 2 * i + 1;
      if (child >= used) {
        break;
      }
      if (child + 1 < used && value(a, heap[child + 1], by) < value(a, heap[child], by)) {
        child++;
      }
      if (value(a, heap[child], by) >= v) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = id;
  }

  private static ActiveFlow copy(long a, int b) {
    long k4 = CacheTable.get(a, b + K4);
    long k5 = CacheTable.get(a, b + K5);
    return new ActiveFlow(
        address(CacheTable.get(a, b + K0), CacheTable.get(a, b + K1)),
        address(CacheTable.get(a, b + K2), CacheTable.get(a, b + K3)),
        CacheTable.srcPort(k4),
        CacheTable.dstPort(k4),
        CacheTable.protocol(k5),
        CacheTable.ipVersion(k5),
        CacheTable.ifindex(k4),
        CacheTable.direction(k5),
        CacheTable.vlanId(k5),
        CacheTable.tos(k5),
        CacheTable.tcpFlags(k5),
        CacheTable.get(a, b + PACKETS),
        CacheTable.get(a, b + BYTES),
        CacheTable.get(a, b + FIRST_MS),
        CacheTable.get(a, b + LAST_MS),
        (int) CacheTable.get(a, b + CacheTable.IFACES),
        (int) (CacheTable.get(a, b + CacheTable.IFACES) >>> 32),
        address(
            CacheTable.get(a, b + CacheTable.NEXT_HOP0),
            CacheTable.get(a, b + CacheTable.NEXT_HOP1)),
        (int) CacheTable.get(a, b + CacheTable.SRC_MAC_STATUS) & 0xFF,
        CacheTable.get(a, b + CacheTable.SRC_MAC_STATUS) >>> 8,
        CacheTable.get(a, b + CacheTable.DST_MAC));
  }

  private static byte[] address(long lo, long hi) {
    byte[] bytes = new byte[16];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(lo).putLong(hi);
    return bytes;
  }
}
