package dev.flowgate.controlplane.sweep;

import dev.flowgate.bpf.Layout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What the kernel's batch drain hands user space, built by hand for tests: packed little-endian
 * struct flow_key (44 bytes) and struct flow_stats (72 bytes) in two direct buffers. Offsets are
 * written out literally from flowgate.h, so tests also check {@link Layout}.
 */
public final class DrainedEntries {

  private final ByteBuffer keys;
  private final ByteBuffer values;
  private int count;

  public DrainedEntries(int capacity) {
    keys = ByteBuffer.allocateDirect(capacity * 44).order(ByteOrder.LITTLE_ENDIAN);
    values = ByteBuffer.allocateDirect(capacity * 72).order(ByteOrder.LITTLE_ENDIAN);
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
    int v = count * 72;
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

  /**
   * Sets the gateway fields of the last entry added: fwd_status (38), the other interface (40),
   * MACs (44, 50: 48-bit numbers, 0 = none) and the next hop (56, 16 bytes or null).
   */
  public DrainedEntries gateway(int peer, int fwdStatus, byte[] nextHop, long srcMac, long dstMac) {
    int v = (count - 1) * 72;
    values.put(v + 38, (byte) fwdStatus);
    values.put(v + 39, (byte) (srcMac != 0 || dstMac != 0 ? 1 : 0));
    values.putInt(v + 40, peer);
    for (int i = 0; i < 6; i++) {
      values.put(v + 44 + i, (byte) (srcMac >>> (40 - 8 * i)));
      values.put(v + 50 + i, (byte) (dstMac >>> (40 - 8 * i)));
    }
    if (nextHop != null) {
      values.put(v + 56, nextHop, 0, 16);
    }
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
