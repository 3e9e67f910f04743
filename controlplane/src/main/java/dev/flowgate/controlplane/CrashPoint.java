package dev.flowgate.controlplane;

import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A seam for the crash tests (as the fan-out's {@code TestPause}), off unless the system property
 * {@value #PROPERTY} names a point of the start-up protocol: there it logs {@value #LOG_LINE} and
 * the sweeper's thread stops for good, so a test can kill -9 the process at that exact step.
 */
final class CrashPoint {
  private static final Logger LOG = LoggerFactory.getLogger(CrashPoint.class);

  /** The system property naming the point to stop at. */
  static final String PROPERTY = "flowgate.test.pause-at";

  /** What the log says when the start stops. */
  static final String LOG_LINE = "test pause: the start stops at";

  /** After an upgrade's older-schema entries are journaled, before the old pins are removed. */
  static final String UPGRADE_JOURNALED = "upgrade-journaled";

  /** After the old pins are removed, before their entries are merged. */
  static final String UPGRADE_REMOVED = "upgrade-removed";

  private static final String AT = System.getProperty(PROPERTY);

  private CrashPoint() {}

  /** Stops the calling thread for good if {@value #PROPERTY} names {@code point}. */
  static void reached(String point) {
    if (!point.equals(AT)) {
      return;
    }
    LOG.warn("{} {} ({})", LOG_LINE, point, PROPERTY);
    while (true) {
      LockSupport.park();
    }
  }
}
