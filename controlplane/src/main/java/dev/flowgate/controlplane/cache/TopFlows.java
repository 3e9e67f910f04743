package dev.flowgate.controlplane.cache;

import static dev.flowgate.controlplane.cache.FlowTable.BYTES;
import static dev.flowgate.controlplane.cache.FlowTable.FIRST_MS;
import static dev.flowgate.controlplane.cache.FlowTable.K0;
import static dev.flowgate.controlplane.cache.FlowTable.K1;
import static dev.flowgate.controlplane.cache.FlowTable.K2;
import static dev.flowgate.controlplane.cache.FlowTable.K3;
import static dev.flowgate.controlplane.cache.FlowTable.K4;
import static dev.flowgate.controlplane.cache.FlowTable.K5;
import static dev.flowgate.controlplane.cache.FlowTable.LAST_MS;
import static dev.flowgate.controlplane.cache.FlowTable.PACKETS;
import static dev.flowgate.controlplane.cache.FlowTable.STRIDE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Top-N query over a {@link FlowTable}: one pass computing the ranked value of each entry (bytes,
 * packets or bytes per second, of the interface asked for), then a min-heap of the {@code n} best
 * entry ids, so the cost is {@code O(size log n)} time and {@code O(size)} memory (two arrays of
 * the table's size), and only the winners are copied out as {@link ActiveFlow}s.
 */
final class TopFlows {

  private TopFlows() {}

  /** Any interface: {@link #of}'s {@code ifindex} that filters nothing. */
  static final int ANY_IFINDEX = 0;

  /**
   * @param by what to rank by
   * @param ifindex only flows on this ifindex, or {@link #ANY_IFINDEX}
   */
  static List<ActiveFlow> of(FlowTable table, int n, FlowRanking by, int ifindex) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative, was " + n);
    }
    final long[] a = table.arena;
    int size = table.size();
    // the ranked values, one per entry (only the entries that pass the filter are ranked)
    long[] v = new long[size];
    int[] ids = new int[size];
    int m = 0;
    for (int id = 0; id < size; id++) {
      int b = id * STRIDE;
      if (ifindex != ANY_IFINDEX && (int) (a[b + K4] >>> 32) != ifindex) {
        continue;
      }
      v[id] =
          switch (by) {
            case BYTES -> a[b + BYTES];
            case PACKETS -> a[b + PACKETS];
            // bytes per second of the flow's life so far, at least one second of it
            case RATE -> a[b + BYTES] * 1000 / Math.max(1000, a[b + LAST_MS] - a[b + FIRST_MS]);
          };
      ids[m++] = id;
    }
    int k = Math.min(n, m);
    int[] heap = new int[k];
    int used = 0;
    for (int i = 0; i < m; i++) {
      int id = ids[i];
      if (used < k) {
        heap[used] = id;
        siftUp(heap, used++, v);
      } else if (k > 0 && v[id] > v[heap[0]]) {
        heap[0] = id;
        siftDown(heap, k, v);
      }
    }
    ActiveFlow[] best = new ActiveFlow[k];
    for (int i = k - 1; i >= 0; i--) { // pop the smallest into the last place
      best[i] = copy(a, heap[0] * STRIDE);
      heap[0] = heap[i];
      siftDown(heap, i, v);
    }
    List<ActiveFlow> result = new ArrayList<>(k);
    for (ActiveFlow f : best) {
      result.add(f);
    }
    return result;
  }

  /** Copies entries {@code from} to {@code from + limit} (or the table's end), in id order. */
  static List<ActiveFlow> page(FlowTable table, int from, int limit) {
    int end = (int) Math.min(table.size(), (long) from + limit);
    List<ActiveFlow> out = new ArrayList<>(Math.max(0, end - from));
    for (int id = from; id < end; id++) {
      out.add(copy(table.arena, id * STRIDE));
    }
    return out;
  }

  private static void siftUp(int[] heap, int i, long[] values) {
    int id = heap[i];
    long v = values[id];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (values[heap[parent]] <= v) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = id;
  }

  private static void siftDown(int[] heap, int used, long[] values) {
    if (used == 0) {
      return;
    }
    int i = 0;
    int id = heap[0];
    long v = values[id];
    while (true) {
      int child = 2 * i + 1;
      if (child >= used) {
        break;
      }
      if (child + 1 < used && values[heap[child + 1]] < values[heap[child]]) {
        child++;
      }
      if (values[heap[child]] >= v) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = id;
  }

  private static ActiveFlow copy(long[] a, int b) {
    long k4 = a[b + K4];
    long k5 = a[b + K5];
    return new ActiveFlow(
        address(a[b + K0], a[b + K1]),
        address(a[b + K2], a[b + K3]),
        FlowTable.srcPort(k4),
        FlowTable.dstPort(k4),
        FlowTable.protocol(k5),
        FlowTable.ipVersion(k5),
        FlowTable.ifindex(k4),
        FlowTable.direction(k5),
        FlowTable.vlanId(k5),
        FlowTable.tos(k5),
        FlowTable.tcpFlags(k5),
        a[b + PACKETS],
        a[b + BYTES],
        a[b + FIRST_MS],
        a[b + LAST_MS]);
  }

  private static byte[] address(long lo, long hi) {
    byte[] bytes = new byte[16];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(lo).putLong(hi);
    return bytes;
  }
}
