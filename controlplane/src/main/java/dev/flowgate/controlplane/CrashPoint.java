package dev.flowgate.controlplane;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test seam: a named point where the process dies at once, as under kill -9 ({@link
 * Runtime#halt}: no shutdown hooks, no stop, nothing flushed but what {@code write(2)} already
 * handed the kernel), when the environment variable {@value #ENV} names it. Crash tests use it to
 * cut the start-up protocol at an exact step; unset (always, in use) it does nothing.
 */
final class CrashPoint {
  private static final Logger LOG = LoggerFactory.getLogger(CrashPoint.class);

  /** The environment variable naming the point to die at. */
  static final String ENV = "FLOWGATE_TEST_HALT_AT";

  /** After an upgrade's older-schema entries are journaled, before the old pins are removed. */
  static final String UPGRADE_JOURNALED = "upgrade-journaled";

  /** After the old pins are removed, before their entries are merged. */
  static final String UPGRADE_REMOVED = "upgrade-removed";

  private static final String AT = System.getenv(ENV);

  private CrashPoint() {}

  /** Dies here (exit status 137, as kill -9) if {@value #ENV} names {@code point}. */
  static void reached(String point) {
    if (point.equals(AT)) {
      LOG.error("test seam " + ENV + "=" + point + ": halting now, as kill -9");
      Runtime.getRuntime().halt(137);
    }
  }
}
