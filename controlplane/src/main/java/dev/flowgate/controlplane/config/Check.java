package dev.flowgate.controlplane.config;

import java.time.Duration;

/** The range rules shared by the config records and the loader, with one wording for each. */
final class Check {

  private Check() {}

  /** {@code value} must lie in {@code min..max}. */
  static long range(String key, long value, long min, long max) {
    if (value < min || value > max) {
      throw new InvalidSettingException(key, outOfRange(value, min, max));
    }
    return value;
  }

  /** {@code value} must lie in {@code min..max}. */
  static Duration range(String key, Duration value, Duration min, Duration max) {
    if (value == null) {
      throw new InvalidSettingException(key, "is required");
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new InvalidSettingException(
          key,
          DurationFormat.format(value)
              + " is out of range ("
              + DurationFormat.format(min)
              + ".."
              + DurationFormat.format(max)
              + ")");
    }
    return value;
  }

  /** The one wording of a number outside its bounds. */
  static String outOfRange(Object value, long min, long max) {
    return value + " is out of range (" + min + ".." + max + ")";
  }

  /** {@code value} must not be null. */
  static <T> T present(String key, T value) {
    if (value == null) {
      throw new InvalidSettingException(key, "is required");
    }
    return value;
  }
}
