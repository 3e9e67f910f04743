package dev.flowgate.exporters.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/**
 * Export messages laid end to end in one direct buffer, each with the records it holds, so a
 * transport can send them all in one crossing ({@link ExportTransport#send(MessageBatch, int,
 * int)}). Reused: {@link #clear()} empties it and keeps its memory. One thread at a time.
 */
public final class MessageBatch implements AutoCloseable {

  private final ByteBuf buf;
  private final int maxMessageSize;
  private int[] offsets = new int[64];
  private int[] lengths = new int[64];
  private int[] records = new int[64];
  private int[] items = new int[64];
  private int size;

  /** A batch of messages of at most {@code maxMessageSize} bytes each. */
  public MessageBatch(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
    this.buf = Unpooled.directBuffer(64 * maxMessageSize);
  }

  /**
   * The buffer to append the next message to, with room for one message of the maximum size. Its
   * bytes from the writer index on become a message at {@link #add(int)}.
   */
  public ByteBuf next() {
    buf.ensureWritable(maxMessageSize);
    return buf;
  }

  /**
   * Ends the message appended since the last {@link #add} (or {@link #clear}): its sequence number
   * counts {@code records} records, and it carries {@code items} of what the sink's ledger counts
   * (e.g. samples; 0 for a template message). Nothing is added when nothing was appended.
   */
  public void add(int records, int items) {
    int start = size == 0 ? 0 : offsets[size - 1] + lengths[size - 1];
    int length = buf.writerIndex() - start;
    if (length == 0) {
      return;
    }
    if (size == offsets.length) {
      offsets = Arrays.copyOf(offsets, size * 2);
      lengths = Arrays.copyOf(lengths, size * 2);
      this.records = Arrays.copyOf(this.records, size * 2);
      this.items = Arrays.copyOf(this.items, size * 2);
    }
    offsets[size] = start;
    lengths[size] = length;
    this.records[size] = records;
    this.items[size] = items;
    size++;
  }

  /** Messages in the batch. */
  public int size() {
    return size;
  }

  /** Records of message {@code i} that its sequence number counts. */
  public int records(int i) {
    return records[i];
  }

  /** What message {@code i} carries of what the sink's ledger counts. */
  public int items(int i) {
    return items[i];
  }

  /** Bytes of message {@code i}. */
  public int length(int i) {
    return lengths[i];
  }

  /** Message {@code i}, sharing the batch's bytes (writes to it, such as stamping, show). */
  public ByteBuf message(int i) {
    return buf.slice(offsets[i], lengths[i]);
  }

  /** Empties the batch, keeping its memory. */
  public void clear() {
    buf.clear();
    size = 0;
  }

  /** The whole buffer, for a transport that sends many messages at once. */
  ByteBuf buffer() {
    return buf;
  }

  int[] offsets() {
    return offsets;
  }

  int[] lengths() {
    return lengths;
  }

  /** Frees the buffer. */
  @Override
  public void close() {
    if (buf.refCnt() > 0) {
      buf.release();
    }
  }
}
