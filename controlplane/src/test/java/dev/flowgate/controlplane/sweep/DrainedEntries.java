package dev.flowgate.controlplane.sweep;

import dev.flowgate.bpf.Layout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What the kernel's batch drain hands user space, built by hand for tests: packed little-endian
 * struct flow_key (44 bytes) and struct flow_stats (40 bytes) in two direct buffers. Offsets are
 * written out literally from flowgate.h, so tests also check {@link Layout}.
 */
public final class DrainedEntries {

  private final ByteBuffer keys;
  private final ByteBuffer values;
  private int count;

  public DrainedEntries(int capacity) {
    keys = ByteBuffer.allocateDirect(capacity * 44).order(ByteOrder.LITTLE_ENDIAN);
    values = ByteBuffer.allocateDirect(capacity * 40).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Adds one entry; times are CLOCK_MONOTONIC ns. */
  public DrainedEntries add(
      TestFlowKey f, long packets, long bytes, long firstNs, long lastNs, int tcpFlags, int tos) {
    int k = count * 44;
    keys.put(k, f.src(), 0, 16);
    keys.put(k + 16, f.dst(), 0, 16);
    keys.putShort(k + 32, (short) f.srcPort());
    keys.putShort(k + 34, (short) f.dstPort());
    keys.putInt(k + 36, f.ifindex());
    keys.putShort(k + 40, (short) f.vlanId());
    keys.put(k + 42, (byte) f.protocol());
    keys.put(k + 43, (byte) f.direction());
    int v = count * 40;
    values.putLong(v, packets);
    values.putLong(v + 8, bytes);
    values.putLong(v + 16, firstNs);
    values.putLong(v + 24, lastNs);
    values.putInt(v + 32, tcpFlags);
    values.put(v + 36, (byte) tos);
    values.put(v + 37, (byte) f.ipVersion());
    values.putShort(v + 38, (short) 0);
    count++;
    return this;
  }

  /** Adds one entry whose times are given in ms. */
  public DrainedEntries addMs(
      TestFlowKey f, long packets, long bytes, long firstMs, long lastMs, int tcpFlags, int tos) {
    return add(f, packets, bytes, firstMs * 1_000_000L, lastMs * 1_000_000L, tcpFlags, tos);
  }

  public ByteBuffer keys() {
    return keys;
  }

  public ByteBuffer values() {
    return values;
  }

  public int count() {
    return count;
  }

  public DrainedEntries clear() {
    count = 0;
    return this;
  }
}
