package dev.flowgate.controlplane.detect;

/**
 * A change of an alert that sinks hear about.
 *
 * @param kind what happened
 * @param alert the alert after the change
 */
public record AlertEvent(Kind kind, Alert alert) {

  /** What happened to the alert. */
  public enum Kind {
    /** It started. */
    FIRED("firing"),
    /** Its severity changed while active. */
    UPDATED("updated"),
    /** It stayed below its threshold for the hold-down and ended. */
    RESOLVED("resolved");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    /** The name in logs and webhook bodies. */
    public String label() {
      return label;
    }
  }
}
