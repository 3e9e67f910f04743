package dev.flowgate.exporters.kafka;

import dev.flowgate.exporters.FlowColumns;
import java.nio.ByteBuffer;

/**
 * The {@link KafkaKey#FLOW} key of a flow record: its two 16-byte addresses (IPv4 as IPv4-mapped
 * IPv6), the smaller first (unsigned, byte by byte), so the records of both directions of a
 * connection hash to one partition. 32 bytes.
 */
public final class FlowKey {

  /** Length of a key: 32 bytes. */
  public static final int LENGTH = 32;

  private FlowKey() {}

  /** The key of row {@code row}. */
  public static byte[] of(FlowColumns flows, int row) {
    long sh = flows.srcHigh(row);
    long sl = flows.srcLow(row);
    long dh = flows.dstHigh(row);
    long dl = flows.dstLow(row);
    int c = Long.compareUnsigned(sh, dh);
    boolean srcFirst = c < 0 || (c == 0 && Long.compareUnsigned(sl, dl) <= 0);
    ByteBuffer key = ByteBuffer.allocate(LENGTH); // big-endian: byte order of the addresses
    if (srcFirst) {
      key.putLong(sh).putLong(sl).putLong(dh).putLong(dl);
    } else {
      key.putLong(dh).putLong(dl).putLong(sh).putLong(sl);
    }
    return key.array();
  }
}
