package dev.flowgate.controlplane;

import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A seam for the crash tests (as the fan-out's {@code TestPause}), off unless the system property
 * {@value #PROPERTY} names a point of the start-up protocol or of a journaled sweep: there it logs
 * {@value #LOG_LINE} and the sweeper's thread stops for good, so a test can kill -9 the process at
 * that exact step.
 */
public final class CrashPoint {
  private static final Logger LOG = LoggerFactory.getLogger(CrashPoint.class);

  /** The system property naming the point to stop at. */
  static final String PROPERTY = "flowgate.test.pause-at";

  /** What the log says when the start stops. */
  static final String LOG_LINE = "test pause: the start stops at";

  /** After an upgrade's older-schema entries are journaled, before the old pins are removed. */
  static final String UPGRADE_JOURNALED = "upgrade-journaled";

  /** After the old pins are removed, before their entries are merged. */
  static final String UPGRADE_REMOVED = "upgrade-removed";

  /**
   * After the first part of a sweep's input is journaled (the sweep's end not yet, nothing of the
   * half emptied): {@code Sweeper}.
   */
  public static final String SWEEP_PART_JOURNALED = "sweep-part-journaled";

  /**
   * After the input of a sweep that drained something is journaled whole (its end frame), before
   * the half is emptied.
   */
  public static final String SWEEP_JOURNALED = "sweep-journaled";

  private static final String AT = System.getProperty(PROPERTY);

  private CrashPoint() {}

  /** Whether {@value #PROPERTY} names {@code point} (a caller may skip work for the seam). */
  public static boolean armed(String point) {
    return point.equals(AT);
  }

  /** Stops the calling thread for good if {@value #PROPERTY} names {@code point}. */
  public static void reached(String point) {
    if (!point.equals(AT)) {
      return;
    }
    LOG.warn("{} {} ({})", LOG_LINE, point, PROPERTY);
    while (true) {
      LockSupport.park();
    }
  }
}
