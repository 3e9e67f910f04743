package dev.flowgate.exporters.transport;

import java.util.ArrayDeque;
import java.util.function.LongConsumer;

/**
 * The messages sent in the current transport session that the transport does not yet call delivered
 * ({@link ExportTransport#unacknowledged()}), each with what it carries for the sink's ledger (e.g.
 * samples). A message is delivered once the bytes sent in the session up to its end, minus what is
 * unacknowledged, reach it. One thread at a time.
 */
public final class SentMessages {

  private final ArrayDeque<long[]> waiting = new ArrayDeque<>(); // {end in the session, carried}
  private long sessionBytes;

  /** A message of {@code bytes} was sent, carrying {@code carried} (0: nothing to settle). */
  public void sent(int bytes, long carried) {
    sessionBytes += bytes;
    if (carried > 0) {
      waiting.addLast(new long[] {sessionBytes, carried});
    }
  }

  /**
   * Hands what each message now delivered carried to {@code delivered}, given the bytes the
   * transport still calls unacknowledged.
   */
  public void settle(long unacknowledged, LongConsumer delivered) {
    long reached = sessionBytes - unacknowledged;
    while (!waiting.isEmpty() && waiting.peekFirst()[0] <= reached) {
      delivered.accept(waiting.pollFirst()[1]);
    }
  }

  /** Hands what each waiting message carried to {@code lost} and forgets them all. */
  public void clear(LongConsumer lost) {
    for (long[] m : waiting) {
      lost.accept(m[1]);
    }
    waiting.clear();
  }

  /** A new session begins: its bytes count from 0 (call {@link #clear} for the old one first). */
  public void newSession() {
    sessionBytes = 0;
  }

  /** True if no message waits. */
  public boolean isEmpty() {
    return waiting.isEmpty();
  }
}
