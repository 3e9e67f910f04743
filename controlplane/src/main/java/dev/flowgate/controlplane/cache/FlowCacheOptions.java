package dev.flowgate.controlplane.cache;

import java.time.Duration;

/** Settings of a {@link FlowCache}; setters validate and return {@code this}. */
public final class FlowCacheOptions {

  /** 1,048,576 flows: 80 MB of entries plus a 16 MB index (96 bytes a flow), on the heap. */
  public static final int DEFAULT_CAPACITY = 1 << 20;

  /** 15 s without a packet ends a flow (flowEndReason idleTimeout). */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(15);

  /** 60 s after its start a record is exported and the flow goes on in a new one. */
  public static final Duration DEFAULT_ACTIVE_TIMEOUT = Duration.ofSeconds(60);

  /** 4,096 rows at most per finished-flow batch handed to the consumer. */
  public static final int DEFAULT_MAX_BATCH_ROWS = 4096;

  private int capacity = DEFAULT_CAPACITY;
  private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT.toMillis();
  private long activeTimeoutMs = DEFAULT_ACTIVE_TIMEOUT.toMillis();
  private int maxBatchRows = DEFAULT_MAX_BATCH_ROWS;

  /** Most flows held at once; a new flow beyond it evicts one (lackOfResources). */
  public int capacity() {
    return capacity;
  }

  /** Sets {@link #capacity()}: 1 to 200,000,000. */
  public FlowCacheOptions capacity(int flows) {
    if (flows < 1 || flows > 200_000_000) {
      throw new IllegalArgumentException("capacity must be 1 to 200000000 flows, was " + flows);
    }
    this.capacity = flows;
    return this;
  }

  /** Idle timeout in ms. */
  public long idleTimeoutMs() {
    return idleTimeoutMs;
  }

  /** Sets the idle timeout: positive, whole milliseconds. */
  public FlowCacheOptions idleTimeout(Duration timeout) {
    this.idleTimeoutMs = positiveMillis("idle timeout", timeout);
    return this;
  }

  /** Active timeout in ms. */
  public long activeTimeoutMs() {
    return activeTimeoutMs;
  }

  /** Sets the active timeout: positive, whole milliseconds. */
  public FlowCacheOptions activeTimeout(Duration timeout) {
    this.activeTimeoutMs = positiveMillis("active timeout", timeout);
    return this;
  }

  /** Most rows per finished-flow batch. */
  public int maxBatchRows() {
    return maxBatchRows;
  }

  /** Sets {@link #maxBatchRows()}: 1 to 1,048,576. */
  public FlowCacheOptions maxBatchRows(int rows) {
    if (rows < 1 || rows > 1 << 20) {
      throw new IllegalArgumentException("maxBatchRows must be 1 to 1048576, was " + rows);
    }
    this.maxBatchRows = rows;
    return this;
  }

  private static long positiveMillis(String what, Duration d) {
    if (d == null || d.isNegative() || d.isZero() || d.getNano() % 1_000_000 != 0) {
      throw new IllegalArgumentException(what + " must be a positive whole number of ms, was " + d);
    }
    return d.toMillis();
  }
}
