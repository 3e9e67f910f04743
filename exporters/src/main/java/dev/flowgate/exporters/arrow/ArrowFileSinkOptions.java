package dev.flowgate.exporters.arrow;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code export.arrow:} section for an {@link ArrowFileSink}: where the files go, how long one
 * file collects records, and how many finished files are kept. Every default is a named constant;
 * setters check their value and say what was wrong ({@link IllegalArgumentException}); {@link
 * #validate()} checks that a directory was given. Mutable while the config is read; the sink takes
 * a copy.
 */
public final class ArrowFileSinkOptions {

  /** Default rotate-interval: 1m, one file per minute. */
  public static final Duration DEFAULT_ROTATE_INTERVAL = Duration.ofMinutes(1);

  /** Shortest rotate-interval: 1s (file names carry the time to the second). */
  public static final Duration MIN_ROTATE_INTERVAL = Duration.ofSeconds(1);

  /** Longest rotate-interval: 24h. */
  public static final Duration MAX_ROTATE_INTERVAL = Duration.ofHours(24);

  /** Default max-files: 1440, one day of one-minute files. */
  public static final int DEFAULT_MAX_FILES = 1440;

  /** Fewest max-files: 1. */
  public static final int MIN_MAX_FILES = 1;

  /** Most max-files: 1000000. */
  public static final int MAX_MAX_FILES = 1_000_000;

  private Path directory;
  private Duration rotateInterval = DEFAULT_ROTATE_INTERVAL;
  private int maxFiles = DEFAULT_MAX_FILES;
  private Clock clock = Clock.systemUTC();

  /** Options with every default and no directory yet. */
  public ArrowFileSinkOptions() {}

  /** A copy of {@code other}. */
  public ArrowFileSinkOptions(ArrowFileSinkOptions other) {
    directory = other.directory;
    rotateInterval = other.rotateInterval;
    maxFiles = other.maxFiles;
    clock = other.clock;
  }

  /** The config key {@code directory}: an absolute path; created when the first file opens. */
  public ArrowFileSinkOptions directory(Path directory) {
    if (directory == null || !directory.isAbsolute()) {
      throw new IllegalArgumentException("directory must be an absolute path, not " + directory);
    }
    this.directory = directory.normalize();
    return this;
  }

  /**
   * The config key {@code rotate-interval}: 1s..24h, whole seconds. Files start at multiples of the
   * interval since the epoch (UTC), so 1m files start on the minute.
   */
  public ArrowFileSinkOptions rotateInterval(Duration every) {
    if (every == null
        || every.compareTo(MIN_ROTATE_INTERVAL) < 0
        || every.compareTo(MAX_ROTATE_INTERVAL) > 0) {
      throw new IllegalArgumentException("rotate-interval must be 1s..24h, not " + every);
    }
    if (every.getNano() != 0) {
      throw new IllegalArgumentException("rotate-interval must be whole seconds, not " + every);
    }
    this.rotateInterval = every;
    return this;
  }

  /** The config key {@code max-files}: {@value #MIN_MAX_FILES}..{@value #MAX_MAX_FILES}. */
  public ArrowFileSinkOptions maxFiles(int files) {
    if (files < MIN_MAX_FILES || files > MAX_MAX_FILES) {
      throw new IllegalArgumentException(
          "max-files must be " + MIN_MAX_FILES + ".." + MAX_MAX_FILES + ", not " + files);
    }
    this.maxFiles = files;
    return this;
  }

  /** The clock that decides the current file; {@link Clock#systemUTC()} unless a test sets one. */
  public ArrowFileSinkOptions clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /**
   * Checks the combination.
   *
   * @throws IllegalArgumentException if no directory was given
   */
  public ArrowFileSinkOptions validate() {
    if (directory == null) {
      throw new IllegalArgumentException("export.arrow needs a directory");
    }
    return this;
  }

  /** The directory the files are written to; null until set. */
  public Path directory() {
    return directory;
  }

  /** How long one file collects records. */
  public Duration rotateInterval() {
    return rotateInterval;
  }

  /** How many finished files are kept, the newest. */
  public int maxFiles() {
    return maxFiles;
  }

  /** The clock that decides the current file. */
  public Clock clock() {
    return clock;
  }
}
