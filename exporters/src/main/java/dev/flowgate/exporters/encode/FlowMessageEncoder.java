package dev.flowgate.exporters.encode;

import dev.flowgate.exporters.FlowColumns;
import io.netty.buffer.ByteBuf;
import java.util.SortedMap;

/**
 * One export format (IPFIX, NetFlow v9 or v5): turns flow rows, templates and options into messages
 * no larger than the configured maximum. All progress is in the {@link EncodeCursor}; one instance
 * serves the thread that encodes data and the thread that sends templates, but {@link #encodeData}
 * may keep a scratch buffer, so only one thread calls it at a time.
 *
 * <p>Messages are written with a zero export time and sequence number; the sender fills them in
 * with {@link #stamp} at the moment it sends, so sequence numbers count what was really sent.
 */
public interface FlowMessageEncoder {

  /** The largest message this encoder writes, in bytes (UDP payload or IPFIX message length). */
  int maxMessageSize();

  /** True if this format has templates (IPFIX, v9), false for v5. */
  boolean hasTemplates();

  /**
   * Appends to {@code out} one data message holding the rows from {@code cursor.row} on, as many as
   * fit. Returns false (writing nothing) when the batch is exhausted. Sets {@code cursor.records}
   * to the number of data records written and {@code cursor.packets}/{@code cursor.bytes} to the
   * flow packets and bytes they carry (the exporter's delivered/failed outcomes count these).
   */
  boolean encodeData(FlowColumns flows, EncodeCursor cursor, ByteBuf out);

  /** Appends one message with every template and options template; empty for v5. */
  void encodeTemplates(ByteBuf out);

  /**
   * Appends one options data message: on the first call ({@code cursor.row == 0}) the exporter
   * statistics record, then interface names from {@code cursor.row} on, as many as fit. Returns
   * false (writing nothing) when everything was written. Sets {@code cursor.records}.
   */
  boolean encodeOptionsData(
      ExportTotals totals,
      SortedMap<Long, String> interfaceNames,
      EncodeCursor cursor,
      ByteBuf out);

  /** Writes the export time and sequence number into the message that starts at readerIndex. */
  void stamp(ByteBuf message, long nowMillis, long sequence);

  /**
   * How much the sequence number advances after a message holding {@code records} data records: the
   * records (IPFIX, v5) or 1 (v9 counts export packets).
   */
  long sequenceStep(int records);
}
