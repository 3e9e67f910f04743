package dev.flowgate.exporters.kafka;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.FlowSchema;
import dev.flowgate.exporters.Volume;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * Kafka messages each holding one whole Arrow IPC stream (schema, one record batch of {@link
 * FlowSchema} rows, end-of-stream marker), readable by any Arrow {@code ArrowStreamReader}. The
 * schema is the Arrow files' ({@link FlowSchema#SCHEMA}); its version travels in the {@link
 * KafkaFlowSink#SCHEMA_VERSION_HEADER} header.
 *
 * <p>A batch is split so that no message exceeds {@code limit} bytes: rows per message start at
 * what the limit holds at {@link #BYTES_PER_ROW}, and a stream that still comes out too large is
 * encoded again with half the rows.
 */
public final class ArrowMessageEncoder implements KafkaMessageEncoder {

  /** The format header's value. */
  public static final String FORMAT = "arrow-ipc-stream";

  /**
   * Bytes a row takes in a stream: 117 bytes of values (the 22 fixed-width columns), 3 of
   * validity bitmaps, 4 of padding; a stream that still comes out too large is split again.
   */
  static final int BYTES_PER_ROW = 124;

  /** Room for the schema and record batch headers in a stream: 16 KiB. */
  static final int STREAM_OVERHEAD = 16 << 10;

  private final int limit;
  private final ByteArrayOutputStream stream = new ByteArrayOutputStream(1 << 16);

  /**
   * An encoder whose messages are at most {@code limit} bytes.
   *
   * @throws IllegalArgumentException if the limit does not hold a stream of one row
   */
  public ArrowMessageEncoder(int limit) {
    if (limit < STREAM_OVERHEAD + BYTES_PER_ROW) {
      throw new IllegalArgumentException("an Arrow message needs more than " + limit + " bytes");
    }
    this.limit = limit;
  }

  @Override
  public String formatHeader() {
    return FORMAT;
  }

  @Override
  public List<KafkaMessage> encode(VectorSchemaRoot batch, int first, int end, long nowNanos) {
    if (!FlowSchema.SCHEMA.equals(batch.getSchema())) {
      throw new IllegalArgumentException("not a FlowSchema batch: " + batch.getSchema());
    }
    FlowColumns columns = new FlowColumns(batch);
    int rows = end;
    int perMessage = Math.max(1, (limit - STREAM_OVERHEAD) / BYTES_PER_ROW);
    List<KafkaMessage> out = new ArrayList<>();
    int from = first;
    while (from < rows) {
      int n = Math.min(perMessage, rows - from);
      byte[] value = stream(batch, from, n);
      if (value.length > limit && n > 1) {
        perMessage = n / 2;
        continue;
      }
      long packets = 0;
      long bytes = 0;
      for (int row = from; row < from + n; row++) {
        packets += columns.packets(row);
        bytes += columns.bytes(row);
      }
      out.add(new KafkaMessage(null, value, n, new Volume(packets, bytes)));
      from += n;
    }
    return out;
  }

  /** One IPC stream of rows {@code from} to {@code from + n - 1}. */
  private byte[] stream(VectorSchemaRoot batch, int from, int n) {
    stream.reset();
    try (VectorSchemaRoot slice = batch.slice(from, n)) {
      // a slice's vectors name nullable fields (the transfer pairs' default): write the schema
      // itself, so every message states exactly FlowSchema.SCHEMA
      VectorSchemaRoot rows =
          new VectorSchemaRoot(FlowSchema.SCHEMA.getFields(), slice.getFieldVectors(), n);
      try (ArrowStreamWriter writer =
          new ArrowStreamWriter(rows, null, Channels.newChannel(stream))) {
        writer.start();
        writer.writeBatch();
        writer.end();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("encoding an Arrow stream in memory", e); // no I/O: cannot be
    }
    return stream.toByteArray();
  }
}
