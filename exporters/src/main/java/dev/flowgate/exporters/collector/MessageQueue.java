package dev.flowgate.exporters.collector;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded hand-over between the thread that encodes flows and the sender thread. When full,
 * {@link #offer} drops the oldest waiting message (newer flows are worth more than old ones) and
 * counts it, so memory stays at capacity + 1 messages (the one being sent) whatever the collector
 * does.
 */
final class MessageQueue {

  /** An encoded message and the data records it holds. */
  record Message(ByteBuf buf, int records) {}

  private final int capacity;
  private final ArrayDeque<Message> messages;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private boolean busy; // the sender holds a message taken from here
  private boolean closed;
  private long droppedMessages;
  private long droppedRecords;

  MessageQueue(int capacity) {
    this.capacity = capacity;
    this.messages = new ArrayDeque<>(Math.min(capacity, 4096));
  }

  /** Adds a message, dropping (and releasing) the oldest if full. */
  void offer(Message m) {
    lock.lock();
    try {
      if (messages.size() == capacity) {
        drop(messages.pollFirst());
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
        drop(m);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Counts and releases a message that will never be sent. */
  void drop(Message m) {
    lock.lock();
    try {
      droppedMessages++;
      droppedRecords += m.records();
      m.buf().release();
    } finally {
      lock.unlock();
    }
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
