package dev.flowgate.controlplane.detect;

/**
 * One alert as the API, the sinks and the log see it at one moment: an immutable copy.
 *
 * @param id unique in this run, ascending
 * @param type the detector ({@code syn-flood}, ..., {@code flows})
 * @param target the host's address
 * @param direction {@code in} (traffic towards the host seen incoming) or {@code out}
 * @param hostgroup the host's group
 * @param severity {@code warning} or {@code critical} (the highest reached)
 * @param state {@code firing} or {@code resolved}
 * @param startedAt epoch ms: the start of the first interval above the threshold
 * @param detectedAt epoch ms: the end of that interval's sweep, when the alert fired
 * @param resolvedAt epoch ms of the resolution, or null while firing
 * @param rate the last interval's rate above the threshold, in the detector's unit per second
 * @param peakRate the highest interval rate while active
 * @param threshold the threshold of {@code severity}
 * @param unit the rate's unit ({@code pps}, {@code bps}, {@code flows/s})
 * @param detectedSweep the sweep that raised it (sweeps counted from the start, as in /status)
 * @param fingerprint what the attack looked like in its most recent interval above the threshold
 */
public record Alert(
    long id,
    String type,
    String target,
    String direction,
    String hostgroup,
    String severity,
    String state,
    long startedAt,
    long detectedAt,
    Long resolvedAt,
    long rate,
    long peakRate,
    long threshold,
    String unit,
    long detectedSweep,
    Fingerprint fingerprint) {

  /** state of an active alert. */
  public static final String FIRING = "firing";

  /** state of an alert that ended. */
  public static final String RESOLVED = "resolved";

  /** Whether it is active. */
  public boolean firing() {
    return FIRING.equals(state);
  }
}
