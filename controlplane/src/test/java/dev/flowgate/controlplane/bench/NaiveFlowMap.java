package dev.flowgate.controlplane.bench;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The baseline the sweep benchmark compares against: the obvious Java merge, one key object and one
 * counter object per flow in a {@code HashMap}, decoded straight from the drained buffers.
 */
final class NaiveFlowMap {

  /** A flow key as an object: two 16-byte arrays and the scalar fields. */
  static final class FlowKeyObject {
    final byte[] src = new byte[16];
    final byte[] dst = new byte[16];
    final int srcPort;
    final int dstPort;
    final int ifindex;
    final int vlanId;
    final int protocol;
    final int direction;
    private final int hash;

    FlowKeyObject(ByteBuffer keys, int at) {
      keys.get(at, src);
      keys.get(at + 16, dst);
      srcPort = keys.getShort(at + 32) & 0xFFFF;
      dstPort = keys.getShort(at + 34) & 0xFFFF;
      ifindex = keys.getInt(at + 36);
      vlanId = keys.getShort(at + 40) & 0xFFFF;
      protocol = keys.get(at + 42) & 0xFF;
      direction = keys.get(at + 43) & 0xFF;
      hash =
          31 * (31 * Arrays.hashCode(src) + Arrays.hashCode(dst))
              + (srcPort << 16 | dstPort) * 17
              + ifindex * 7
              + vlanId
              + (protocol << 8 | direction);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof FlowKeyObject k
          && srcPort == k.srcPort
          && dstPort == k.dstPort
          && ifindex == k.ifindex
          && vlanId == k.vlanId
          && protocol == k.protocol
          && direction == k.direction
          && Arrays.equals(src, k.src)
          && Arrays.equals(dst, k.dst);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A flow's counters as an object. */
  static final class FlowObject {
    long packets;
    long bytes;
    long firstMs = Long.MAX_VALUE;
    long lastMs = Long.MIN_VALUE;
    int tcpFlags;
    int tos;
    int ipVersion;
  }

  final Map<FlowKeyObject, FlowObject> flows = new HashMap<>();

  /** Merges {@code count} drained entries. */
  void merge(ByteBuffer keys, ByteBuffer values, int count, long epochOffsetNs) {
    for (int i = 0; i < count; i++) {
      FlowKeyObject key = new FlowKeyObject(keys, i * 44);
      int v = i * 72;
      FlowObject f = flows.get(key);
      if (f == null) {
        f = new FlowObject();
        f.tos = values.get(v + 36) & 0xFF;
        f.ipVersion = values.get(v + 37) & 0xFF;
        flows.put(key, f);
      }
      f.packets += values.getLong(v);
      f.bytes += values.getLong(v + 8);
      f.firstMs =
          Math.min(f.firstMs, Math.floorDiv(values.getLong(v + 16) + epochOffsetNs, 1_000_000L));
      f.lastMs =
          Math.max(f.lastMs, Math.floorDiv(values.getLong(v + 24) + epochOffsetNs, 1_000_000L));
      f.tcpFlags |= values.get(v + 32) & 0xFF;
    }
  }
}
