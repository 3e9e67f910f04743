package dev.flowgate.exporters.encode;

/**
 * Where an encoder left off in a batch, and what the last message held. One cursor per batch,
 * reused for each message: {@link #reset()} before the first message.
 */
public final class EncodeCursor {

  /** The next row to encode. */
  public int row;

  /** NetFlow v5 only: the next part of a row whose counters are split over several records. */
  public long part;

  /** Data records written into the last message (the unit of IPFIX and v5 sequence numbers). */
  public int records;

  /** Flow packets (packetDeltaCount) of the records in the last message. */
  public long packets;

  /** Flow bytes (octetDeltaCount) of the records in the last message. */
  public long bytes;

  /** NetFlow v5 only: IPv6 rows skipped since the reset (v5 has no IPv6 format). */
  public long skippedIpv6;

  /** NetFlow v5 only: the packets of those rows. */
  public long skippedIpv6Packets;

  /** NetFlow v5 only: the bytes of those rows. */
  public long skippedIpv6Bytes;

  /** NetFlow v5 only: records written beyond one per row because counters exceeded 32 bits. */
  public long extraSplitRecords;

  /** NetFlow v5 only: rows whose ifindex exceeded v5's 16-bit interface fields (sent as 0). */
  public long truncatedInterfaces;

  /** Starts a new batch. */
  public EncodeCursor reset() {
    row = 0;
    part = 0;
    records = 0;
    packets = 0;
    bytes = 0;
    skippedIpv6 = 0;
    skippedIpv6Packets = 0;
    skippedIpv6Bytes = 0;
    extraSplitRecords = 0;
    truncatedInterfaces = 0;
    return this;
  }
}
