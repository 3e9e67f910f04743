package dev.flowgate.controlplane.cache;

import java.util.Arrays;

/**
 * Packets and bytes held in the flow cache per (ifindex, direction): the accounting invariant's
 * "still in the flow cache" term, kept up to date on every merge and finish so reading it costs a
 * lookup, not a scan. A small open-addressing map from {@code ifindex << 8 | direction} to a dense
 * counter index; counters of an interface whose flows are gone stay at zero.
 */
final class HeldCounters {

  private long[] keys = new long[16]; // key + 1; 0 = empty
  private int[] slots = new int[16];
  private int[] ifindexes = new int[8];
  private int[] directions = new int[8];
  private long[] packets = new long[8];
  private long[] bytes = new long[8];
  private int count;

  /** The counter index of this interface and direction, created at zero when new. */
  int indexOf(int ifindex, int direction) {
    long key = keyOf(ifindex, direction);
    int s = slotOf(key);
    if (keys[s] == key) {
      return slots[s];
    }
    int i = count++;
    if (i == packets.length) {
      int n = i * 2;
      ifindexes = Arrays.copyOf(ifindexes, n);
      directions = Arrays.copyOf(directions, n);
      packets = Arrays.copyOf(packets, n);
      bytes = Arrays.copyOf(bytes, n);
    }
    ifindexes[i] = ifindex;
    directions[i] = direction;
    keys[s] = key;
    slots[s] = i;
    if (count * 2 > keys.length) {
      rehash(keys.length * 2);
    }
    return i;
  }

  /** The counter index, or -1 if this interface and direction never held a flow. */
  int find(int ifindex, int direction) {
    long key = keyOf(ifindex, direction);
    int s = slotOf(key);
    return keys[s] == key ? slots[s] : -1;
  }

  void add(int index, long p, long b) {
    packets[index] += p;
    bytes[index] += b;
  }

  long packets(int index) {
    return packets[index];
  }

  long bytes(int index) {
    return bytes[index];
  }

  int size() {
    return count;
  }

  int ifindex(int index) {
    return ifindexes[index];
  }

  int direction(int index) {
    return directions[index];
  }

  private void rehash(int n) {
    long[] oldKeys = keys;
    int[] oldSlots = slots;
    keys = new long[n];
    slots = new int[n];
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != 0) {
        int s = slotOf(oldKeys[j]);
        keys[s] = oldKeys[j];
        slots[s] = oldSlots[j];
      }
    }
  }

  /** The key of an interface and direction: never 0, which marks an empty slot. */
  private static long keyOf(int ifindex, int direction) {
    return ((ifindex & 0xFFFF_FFFFL) << 8 | direction) + 1;
  }

  /** The slot of {@code key} in {@link #keys}: where it is, or the empty slot it would take. */
  private int slotOf(long key) {
    int mask = keys.length - 1;
    int s = Long.hashCode(key * 0x9E3779B97F4A7C15L) & mask;
    while (keys[s] != 0 && keys[s] != key) {
      s = (s + 1) & mask;
    }
    return s;
  }
}
