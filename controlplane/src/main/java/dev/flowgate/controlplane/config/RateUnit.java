package dev.flowgate.controlplane.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a detector's threshold counts per second, and how the config writes it: {@code 20000pps} or
 * {@code 20kpps} (packets), {@code 500Mbps} (bits), {@code 1000flows/s}; a bare integer is in the
 * detector's own unit. A threshold written in another detector's unit is an error, never converted.
 */
public enum RateUnit {
  /** Packets per second. */
  PACKETS("pps", "a packet rate"),
  /** Bits per second. */
  BITS("bps", "a bit rate"),
  /** Flows per second. */
  FLOWS("flows/s", "a flow rate");

  private static final Pattern RATE =
      Pattern.compile("([0-9]+)\\s*([kMG]?)\\s*(pps|bps|bit/s|flows/s)?");

  private final String suffix;
  private final String noun;

  RateUnit(String suffix, String noun) {
    this.suffix = suffix;
    this.noun = noun;
  }

  /** The unit as the config writes it. */
  public String suffix() {
    return suffix;
  }

  /** The rate {@code value} written in this unit, e.g. {@code 20000pps}. */
  public String format(long value) {
    return value + suffix;
  }

  /**
   * Parses a rate in this unit.
   *
   * @throws IllegalArgumentException saying what is wrong, e.g. a bit rate where packets count
   */
  public long parse(String text) {
    Matcher m = RATE.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          ConfigNode.quote(text) + " is not " + noun + " (write e.g. " + example() + ")");
    }
    RateUnit written = m.group(3) == null ? this : of(m.group(3));
    if (written != this) {
      throw new IllegalArgumentException(
          ConfigNode.quote(text)
              + " is "
              + written.noun
              + ", this threshold is "
              + noun
              + " (write e.g. "
              + example()
              + ")");
    }
    long scale =
        switch (m.group(2)) {
          case "k" -> 1_000L;
          case "M" -> 1_000_000L;
          case "G" -> 1_000_000_000L;
          default -> 1L;
        };
    long v;
    try {
      v = Math.multiplyExact(Long.parseLong(m.group(1)), scale);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException(ConfigNode.quote(text) + " is too large");
    }
    if (v <= 0) {
      throw new IllegalArgumentException(ConfigNode.quote(text) + " must be above 0");
    }
    return v;
  }

  private String example() {
    return switch (this) {
      case PACKETS -> "20000pps or 20kpps";
      case BITS -> "500Mbps";
      case FLOWS -> "5000flows/s";
    };
  }

  private static RateUnit of(String suffix) {
    return switch (suffix) {
      case "pps" -> PACKETS;
      case "bps", "bit/s" -> BITS;
      default -> FLOWS;
    };
  }
}
