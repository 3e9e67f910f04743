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
 * Top-N query over a {@link FlowTable}: one pass keeping a min-heap of the {@code n} best entry ids
 * (an {@code int[n]}), so the cost is {@code O(size log n)} time and {@code O(n)} memory, and only
 * the winners are copied out as {@link ActiveFlow}s.
 */
final class TopFlows {

  private TopFlows() {}

  /**
   * @param field {@link FlowTable#BYTES} or {@link FlowTable#PACKETS}
   */
  static List<ActiveFlow> of(FlowTable table, int n, int field) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative, was " + n);
    }
    final long a = table.arena;
    int size = table.size();
    int k = Math.min(n, size);
    int[] heap = new int[k];
    int used = 0;
    for (int id = 0; id < size; id++) {
      if (used < k) {
        heap[used] = id;
        siftUp(heap, used++, a, field);
      } else if (k > 0
          && FlowTable.get(a, id * STRIDE + field) > FlowTable.get(a, heap[0] * STRIDE + field)) {
        heap[0] = id;
        siftDown(heap, k, a, field);
      }
    }
    ActiveFlow[] best = new ActiveFlow[k];
    for (int i = k - 1; i >= 0; i--) { // pop the smallest into the last place
      best[i] = copy(a, heap[0] * STRIDE);
      heap[0] = heap[i];
      siftDown(heap, i, a, field);
    }
    List<ActiveFlow> result = new ArrayList<>(k);
    for (ActiveFlow f : best) {
      result.add(f);
    }
    return result;
  }

  private static void siftUp(int[] heap, int i, long a, int field) {
    int id = heap[i];
    long v = FlowTable.get(a, id * STRIDE + field);
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (FlowTable.get(a, heap[parent] * STRIDE + field) <= v) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = id;
  }

  private static void siftDown(int[] heap, int used, long a, int field) {
    if (used == 0) {
      return;
    }
    int i = 0;
    int id = heap[0];
    long v = FlowTable.get(a, id * STRIDE + field);
    while (true) {
      int child = 2 * i + 1;
      if (child >= used) {
        break;
      }
      if (child + 1 < used
          && FlowTable.get(a, heap[child + 1] * STRIDE + field)
              < FlowTable.get(a, heap[child] * STRIDE + field)) {
        child++;
      }
      if (FlowTable.get(a, heap[child] * STRIDE + field) >= v) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = id;
  }

  private static ActiveFlow copy(long a, int b) {
    long k4 = FlowTable.get(a, b + K4);
    long k5 = FlowTable.get(a, b + K5);
    return new ActiveFlow(
        address(FlowTable.get(a, b + K0), FlowTable.get(a, b + K1)),
        address(FlowTable.get(a, b + K2), FlowTable.get(a, b + K3)),
        FlowTable.srcPort(k4),
        FlowTable.dstPort(k4),
        FlowTable.protocol(k5),
        FlowTable.ipVersion(k5),
        FlowTable.ifindex(k4),
        FlowTable.direction(k5),
        FlowTable.vlanId(k5),
        FlowTable.tos(k5),
        FlowTable.tcpFlags(k5),
        FlowTable.get(a, b + PACKETS),
        FlowTable.get(a, b + BYTES),
        FlowTable.get(a, b + FIRST_MS),
        FlowTable.get(a, b + LAST_MS));
  }

  private static byte[] address(long lo, long hi) {
    byte[] bytes = new byte[16];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(lo).putLong(hi);
    return bytes;
  }
}
