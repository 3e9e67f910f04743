package dev.flowgate.controlplane.config;

/**
 * The two thresholds of one detector, in its unit per second; 0 is off. A host at or above {@code
 * critical} raises a critical alert, else at or above {@code warning} a warning.
 *
 * @param warning the warning threshold, 0 for none
 * @param critical the critical threshold, 0 for none
 */
public record AlertLevels(long warning, long critical) {

  /** No threshold: the detector is off. */
  public static final AlertLevels OFF = new AlertLevels(0, 0);

  /**
   * Checks that neither is negative and that warning lies below critical when both are set.
   *
   * @throws InvalidSettingException naming warning or critical
   */
  public AlertLevels {
    if (warning < 0) {
      throw new InvalidSettingException("warning", "must not be negative");
    }
    if (critical < 0) {
      throw new InvalidSettingException("critical", "must not be negative");
    }
    if (warning > 0 && critical > 0 && warning >= critical) {
      throw new InvalidSettingException(
          java.util.List.of("warning", "critical"),
          "warning (" + warning + ") must be below critical (" + critical + ")");
    }
  }

  /** Whether any level is set. */
  public boolean enabled() {
    return warning > 0 || critical > 0;
  }

  /** The lowest threshold set (the one below which an alert counts as calm), 0 when off. */
  public long lowest() {
    return warning > 0 ? warning : critical;
  }
}
