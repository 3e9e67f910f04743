package dev.flowgate.controlplane.config;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config file's durations: an integer and one unit, {@code ms}, {@code s}, {@code m} or {@code
 * h} ({@code 500ms}, {@code 1s}, {@code 2m}). No fractions, no signs, no compound forms.
 */
public final class DurationFormat {

  /** What the user should write, appended to every duration error. */
  public static final String HINT = "use an integer and ms, s, m or h";

  // at most 9 digits: 999999999h still fits in a java.time.Duration without overflow
  private static final Pattern SYNTAX = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

  private DurationFormat() {}

  /** The duration {@code text} denotes, or empty if it is not one. */
  public static Optional<Duration> parse(String text) {
    Matcher m = SYNTAX.matcher(text);
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    return Optional.of(
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        });
  }

  /**
   * The shortest text {@link #parse} reads back as {@code d}: the largest unit that divides it.
   *
   * @throws IllegalArgumentException if {@code d} is negative or not a whole number of ms
   */
  public static String format(Duration d) {
    if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
      throw new IllegalArgumentException(d + " is not a whole, non-negative number of ms");
    }
    long ms = d.toMillis();
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
