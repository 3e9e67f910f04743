package dev.flowgate.controlplane.bench;

import dev.flowgate.bpf.Layout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Synthetic kernel drains for the sweep benchmark: {@code flows} distinct flows, drained every
 * sweep in a fresh random order (the kernel's hash order is unrelated to the cache's), one chunk of
 * packed little-endian flow_key / flow_stats at a time, as {@code BpfMap.lookupAndDeleteBatch}
 * fills them.
 *
 * <p>A quarter of the flows are IPv6, the rest IPv4-mapped; TCP and UDP; two interfaces, both
 * directions. TCP flags never carry FIN or RST, so every flow stays in the cache.
 */
final class SyntheticDrain {

  static final int KEY_SIZE = Layout.FLOW_KEY_SIZE;
  static final int VALUE_SIZE = Layout.FLOW_STATS_SIZE;

  final ByteBuffer keys;
  final ByteBuffer values;
  private final int[] order;
  private final Random rnd = new Random(1);

  SyntheticDrain(int flows, int chunkEntries) {
    keys = ByteBuffer.allocateDirect(chunkEntries * KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    values = ByteBuffer.allocateDirect(chunkEntries * VALUE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    order = new int[flows];
    for (int i = 0; i < flows; i++) {
      order[i] = i;
    }
  }

  int flows() {
    return order.length;
  }

  /** Starts a sweep: a new drain order (Fisher-Yates). */
  void shuffle() {
    for (int i = order.length - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }

  /** Fills the buffers with drain positions {@code [from, from + count)} of sweep {@code sweep}. */
  void fill(int from, int count, int sweep) {
    long base = 1_000_000_000L * (sweep + 1);
    for (int i = 0; i < count; i++) {
      int f = order[from + i];
      int k = i * KEY_SIZE;
      boolean v6 = (f & 3) == 0;
      if (v6) {
        keys.putLong(k, 0x00000000_b80d0120L); // 2001:0db8:0000:0000 as LE bytes
        keys.putLong(k + 8, Long.reverseBytes(f + 1L));
        keys.putLong(k + 16, 0x00000000_b80d0120L);
        keys.putLong(k + 24, Long.reverseBytes(0x53L));
      } else {
        keys.putLong(k, 0);
        keys.putLong(k + 8, 0xFFFF_0000L | (long) Integer.reverseBytes(0x0A000000 | f) << 32);
        keys.putLong(k + 16, 0);
        keys.putLong(
            k + 24, 0xFFFF_0000L | (long) Integer.reverseBytes(0xC0000200 | f % 200) << 32);
      }
      boolean tcp = (f & 4) == 0;
      keys.putShort(k + 32, (short) (1024 + f % 60000));
      keys.putShort(k + 34, (short) (tcp ? 443 : 53));
      keys.putInt(k + 36, 2 + (f >>> 3 & 1));
      keys.putShort(k + 40, (short) 0);
      keys.put(k + 42, (byte) (tcp ? 6 : 17));
      keys.put(k + 43, (byte) (f >>> 4 & 1));
      int v = i * VALUE_SIZE;
      long packets = 1 + (f + sweep) % 20;
      values.putLong(v, packets);
      values.putLong(v + 8, packets * (60 + f % 1400));
      values.putLong(v + 16, base + f % 500_000_000L);
      values.putLong(v + 24, base + 500_000_000L + f % 400_000_000L);
      values.putInt(v + 32, tcp ? 0x18 : 0);
      values.put(v + 36, (byte) 0);
      values.put(v + 37, (byte) (v6 ? 6 : 4));
      for (int b = v + 38; b < v + VALUE_SIZE; b++) {
        values.put(b, (byte) 0); // the pad and the gateway fields (schema 5): none here
      }
    }
  }
}
