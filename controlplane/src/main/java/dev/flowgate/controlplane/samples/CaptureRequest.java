package dev.flowgate.controlplane.samples;

import java.time.Duration;

/**
 * What a live capture asks for ({@code GET /api/v1/capture}), validated.
 *
 * @param interfaceName the interface to capture, or null for every attached interface
 * @param count the capture ends after this many packets
 * @param duration or after this long
 * @param snapLength bytes of each packet written, at most the dataplane's snap length
 * @param filter which samples to write
 */
public record CaptureRequest(
    String interfaceName, long count, Duration duration, int snapLength, CaptureFilter filter) {

  /** Most packets one capture may ask for: 100,000,000. */
  public static final long MAX_COUNT = 100_000_000L;

  /** Longest capture: 3,600 s. */
  public static final long MAX_SECONDS = 3600;

  /** Duration when the request gives none: 60 s. */
  public static final long DEFAULT_SECONDS = 60;

  /** Count when the request gives none: {@link #MAX_COUNT} (the duration ends it). */
  public static final long DEFAULT_COUNT = MAX_COUNT;

  public CaptureRequest {
    if (count < 1 || count > MAX_COUNT) {
      throw new IllegalArgumentException("count must be 1.." + MAX_COUNT + ", was " + count);
    }
    if (duration.isNegative()
        || duration.isZero()
        || duration.compareTo(Duration.ofSeconds(MAX_SECONDS)) > 0) {
      throw new IllegalArgumentException(
          "seconds must be 1.." + MAX_SECONDS + ", was " + duration.toSeconds());
    }
    if (snapLength < 1) {
      throw new IllegalArgumentException("snaplen must be 1 or more, was " + snapLength);
    }
  }
}
