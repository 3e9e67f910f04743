package dev.flowgate.exporters.collector;

import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.outcome.SinkOutcomes;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded hand-over between the thread that encodes flows and the sender thread. When full,
 * {@link #offer} drops the oldest waiting message (newer flows are worth more than old ones) and
 * counts it (dropped, in the exporter's {@link SinkOutcomes}), so memory stays at capacity + 1
 * messages (the one being sent) whatever the collector does.
 */
final class MessageQueue {

  /** An encoded message, the data records it holds and the flow packets and bytes they count. */
  record Message(ByteBuf buf, int records, Volume flows) {}

  private final int capacity;
  private final SinkOutcomes outcomes;
  private final ArrayDeque<Message> messages;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private boolean busy; // the sender holds a message taken from here
  private boolean closed;
  private long droppedMessages;
  private long droppedRecords;

  MessageQueue(int capacity, SinkOutcomes outcomes) {
    this.capacity = capacity;
    this.outcomes = outcomes;
    this.messages = new ArrayDeque<>(Math.min(capacity, 4096));
  }

  /** Adds a message, dropping (and releasing) the oldest if full. */
  void offer(Message m) {
    lock.lock();
    try {
      if (messages.size() == capacity) {
        drop(messages.pollFirst(), "queue full (" + capacity + " messages): oldest dropped");
      }
      messages.addLast(m);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next message for the sender, waiting for one; null once the queue is closed and empty.
   * Marks the sender busy until {@link #done()}.
   */
  Message take() throws InterruptedException {
    lock.lock();
    try {
      while (messages.isEmpty() && !closed) {
        changed.await();
      }
      Message m = messages.pollFirst();
      busy = m != null;
      changed.signalAll();
      return m;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next message, waiting at most {@code nanos} (also after {@link #close()}); null if none
   * came. Marks the sender busy like {@link #take()}.
   */
  Message poll(long nanos) throws InterruptedException {
    lock.lock();
    try {
      long left = nanos;
      while (messages.isEmpty() && left > 0) {
        left = changed.awaitNanos(left);
      }
      Message m = messages.pollFirst();
      busy = m != null;
      changed.signalAll();
      return m;
    } finally {
      lock.unlock();
    }
  }

  /** The sender finished (sent or gave up) the message it took. */
  void done() {
    lock.lock();
    try {
      busy = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits up to {@code nanos} or until {@link #close()}: the sender's pause between retries. */
  void pause(long nanos) throws InterruptedException {
    lock.lock();
    try {
      long left = nanos;
      while (left > 0 && !closed) {
        left = changed.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits until nothing is queued or being sent; false if {@code timeoutNanos} passed first. */
  boolean awaitIdle(long timeoutNanos) throws InterruptedException {
    lock.lock();
    try {
      long left = timeoutNanos;
      while (!messages.isEmpty() || busy) {
        if (left <= 0) {
          return false;
        }
        left = changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** No more offers: {@link #take()} returns null once the queue is empty. */
  void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** Drops everything still queued (counted), e.g. when close() gives up on a dead collector. */
  void dropAll() {
    lock.lock();
    try {
      Message m;
      while ((m = messages.pollFirst()) != null) {
        drop(m, "exporter closed with the message still queued");
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Counts (dropped, for {@code reason}) and releases a message that will never be sent. */
  void drop(Message m, String reason) {
    lock.lock();
    try {
      droppedMessages++;
      droppedRecords += m.records();
      m.buf().release();
    } finally {
      lock.unlock();
    }
    outcomes.dropped(m.flows(), reason);
  }

  int size() {
    lock.lock();
    try {
      return messages.size();
    } finally {
      lock.unlock();
    }
  }

  int capacity() {
    return capacity;
  }

  long droppedMessages() {
    lock.lock();
    try {
      return droppedMessages;
    } finally {
      lock.unlock();
    }
  }

  long droppedRecords() {
    lock.lock();
    try {
      return droppedRecords;
    } finally {
      lock.unlock();
    }
  }
}
