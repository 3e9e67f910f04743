package dev.flowgate.controlplane.config;

import java.util.Arrays;
import java.util.List;

/**
 * The detectors: each compares one per-host rate with its thresholds. The flood detectors are on by
 * default at the documented rates; {@code pps}, {@code bps} and {@code flows} are off until the
 * operator sets them (a line-rate download is legitimate traffic).
 */
public enum Detector {
  /** TCP SYN without ACK to one host: on at 20,000 SYN/s. */
  SYN_FLOOD("syn-flood", RateUnit.PACKETS, 20_000),
  /** UDP packets to one host: on at 200,000 packets/s. */
  UDP_FLOOD("udp-flood", RateUnit.PACKETS, 200_000),
  /** ICMP and ICMPv6 packets to one host: on at 20,000 packets/s. */
  ICMP_FLOOD("icmp-flood", RateUnit.PACKETS, 20_000),
  /** UDP from an amplification source port to one host: on at 10,000 packets/s. */
  AMPLIFICATION("amplification", RateUnit.PACKETS, 10_000),
  /** All IP packets to one host: off by default. */
  PPS("pps", RateUnit.PACKETS, 0),
  /** All IP bits to one host: off by default. */
  BPS("bps", RateUnit.BITS, 0),
  /** Flows started towards one host: off by default. */
  FLOWS("flows", RateUnit.FLOWS, 0);

  private final String label;
  private final RateUnit unit;
  private final long defaultCritical;

  Detector(String label, RateUnit unit, long defaultCritical) {
    this.label = label;
    this.unit = unit;
    this.defaultCritical = defaultCritical;
  }

  /** The name in the config, the API and the metrics ({@code syn-flood}). */
  public String label() {
    return label;
  }

  /** What its thresholds count per second. */
  public RateUnit unit() {
    return unit;
  }

  /** Its default critical threshold (0: off by default); no default warning threshold. */
  public long defaultCritical() {
    return defaultCritical;
  }

  /** Every label, in declaration order. */
  public static List<String> labels() {
    return Arrays.stream(values()).map(Detector::label).toList();
  }

  /** The detector labelled {@code label}, or null. */
  public static Detector ofLabel(String label) {
    for (Detector d : values()) {
      if (d.label.equals(label)) {
        return d;
      }
    }
    return null;
  }
}
