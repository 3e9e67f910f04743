package dev.flowgate.controlplane.cache;

import java.time.Duration;

/**
 * Settings of a {@link FlowCache}: every default and bound is a named constant here, and only here
 * (the config's {@code flows:} section refers to the timeouts'); setters validate, say what was
 * wrong, and return {@code this}.
 */
public final class FlowCacheOptions {

  /**
   * Default capacity: 1,048,576 flows, 80 MB of entries plus a 16 MB index (96 bytes a flow), on
   * the heap.
   */
  public static final int DEFAULT_CAPACITY = 1 << 20;

  /** Largest capacity: 200,000,000 flows. */
  public static final int MAX_CAPACITY = 200_000_000;

  /** Default idle-timeout: 15 s without a packet ends a flow (flowEndReason idleTimeout). */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(15);

  /**
   * Default active-timeout: 60 s after its start a record is exported and the flow goes on in a new
   * one; long flows are reported at least once a minute.
   */
  public static final Duration DEFAULT_ACTIVE_TIMEOUT = Duration.ofSeconds(60);

  /** Shortest idle or active timeout: 1 s. */
  public static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);

  /** Longest idle or active timeout: 24 h. */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);

  /** Default max batch rows: 4,096 rows at most per finished-flow batch handed to the consumer. */
  public static final int DEFAULT_MAX_BATCH_ROWS = 4096;

  /** Largest max batch rows: 1,048,576. */
  public static final int MAX_MAX_BATCH_ROWS = 1 << 20;

  private int capacity = DEFAULT_CAPACITY;
  private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT.toMillis();
  private long activeTimeoutMs = DEFAULT_ACTIVE_TIMEOUT.toMillis();
  private int maxBatchRows = DEFAULT_MAX_BATCH_ROWS;

  /** Most flows held at once; a new flow beyond it evicts one (lackOfResources). */
  public int capacity() {
    return capacity;
  }

  /** Sets {@link #capacity()}: 1 to {@value #MAX_CAPACITY}. */
  public FlowCacheOptions capacity(int flows) {
    if (flows < 1 || flows > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "capacity must be 1 to " + MAX_CAPACITY + " flows, was " + flows);
    }
    this.capacity = flows;
    return this;
  }

  /** Idle timeout in ms. */
  public long idleTimeoutMs() {
    return idleTimeoutMs;
  }

  /** Sets the idle timeout: 1 s to 24 h, whole milliseconds. */
  public FlowCacheOptions idleTimeout(Duration timeout) {
    this.idleTimeoutMs = timeoutMillis("idle timeout", timeout);
    return this;
  }

  /** Active timeout in ms. */
  public long activeTimeoutMs() {
    return activeTimeoutMs;
  }

  /** Sets the active timeout: 1 s to 24 h, whole milliseconds. */
  public FlowCacheOptions activeTimeout(Duration timeout) {
    this.activeTimeoutMs = timeoutMillis("active timeout", timeout);
    return this;
  }

  /** Most rows per finished-flow batch. */
  public int maxBatchRows() {
    return maxBatchRows;
  }

  /** Sets {@link #maxBatchRows()}: 1 to {@value #MAX_MAX_BATCH_ROWS}. */
  public FlowCacheOptions maxBatchRows(int rows) {
    if (rows < 1 || rows > MAX_MAX_BATCH_ROWS) {
      throw new IllegalArgumentException(
          "maxBatchRows must be 1 to " + MAX_MAX_BATCH_ROWS + ", was " + rows);
    }
    this.maxBatchRows = rows;
    return this;
  }

  private static long timeoutMillis(String what, Duration d) {
    if (d == null
        || d.compareTo(MIN_TIMEOUT) < 0
        || d.compareTo(MAX_TIMEOUT) > 0
        || d.getNano() % 1_000_000 != 0) {
      throw new IllegalArgumentException(
          what + " must be 1s to 24h in whole milliseconds, was " + d);
    }
    return d.toMillis();
  }
}
