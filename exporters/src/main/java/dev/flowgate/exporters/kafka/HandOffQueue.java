package dev.flowgate.exporters.kafka;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The messages between the sweeper and the producer, bounded in bytes: {@link #offer} never waits
 * (a message that does not fit is refused, and the sink counts it dropped), {@link #poll} waits for
 * the sender thread. Messages given back for a retry ({@link #retry}) go before the rest and are
 * not bounded: they were in the queue's bytes or the producer's buffer a moment ago.
 */
final class HandOffQueue {
  private final long capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition nonEmpty = lock.newCondition();
  private final ArrayDeque<KafkaMessage> retries = new ArrayDeque<>();
  private final ArrayDeque<KafkaMessage> fresh = new ArrayDeque<>();
  private long bytes;

  HandOffQueue(long capacity) {
    this.capacity = capacity;
  }

  /** Queues {@code m} if it fits; false if the queue is full. */
  boolean offer(KafkaMessage m) {
    lock.lock();
    try {
      if (bytes + m.size() > capacity && !fresh.isEmpty()) {
        return false;
      }
      fresh.add(m);
      bytes += m.size();
      nonEmpty.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Puts {@code m} back to be sent again before the fresh messages. */
  void retry(KafkaMessage m) {
    lock.lock();
    try {
      retries.add(m);
      bytes += m.size();
      nonEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  /** The next message, retries first, waiting up to {@code timeoutNanos}; null if none came. */
  KafkaMessage poll(long timeoutNanos) throws InterruptedException {
    lock.lock();
    try {
      long left = timeoutNanos;
      while (retries.isEmpty() && fresh.isEmpty()) {
        if (left <= 0) {
          return null;
        }
        left = nonEmpty.awaitNanos(left);
      }
      KafkaMessage m = retries.isEmpty() ? fresh.poll() : retries.poll();
      bytes -= m.size();
      return m;
    } finally {
      lock.unlock();
    }
  }

  /** Puts back a message taken by {@link #poll} and not sent, at the head. */
  void unpoll(KafkaMessage m) {
    lock.lock();
    try {
      retries.addFirst(m);
      bytes += m.size();
    } finally {
      lock.unlock();
    }
  }

  /** Takes a message without waiting, or null. */
  KafkaMessage takeNow() {
    lock.lock();
    try {
      KafkaMessage m = retries.isEmpty() ? fresh.poll() : retries.poll();
      if (m != null) {
        bytes -= m.size();
      }
      return m;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes queued. */
  long bytes() {
    lock.lock();
    try {
      return bytes;
    } finally {
      lock.unlock();
    }
  }

  /** True if nothing waits. */
  boolean isEmpty() {
    lock.lock();
    try {
      return retries.isEmpty() && fresh.isEmpty();
    } finally {
      lock.unlock();
    }
  }
}
