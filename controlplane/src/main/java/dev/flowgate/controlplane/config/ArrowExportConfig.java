package dev.flowgate.controlplane.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code export.arrow:} section: finished flows written as rolling Arrow IPC files.
 *
 * <p>Retention: a new file is started every {@code rotate-interval}; when more than {@code
 * max-files} files exist, the oldest are deleted. Defaults keep one day of one-minute files.
 *
 * @param directory absolute directory for the files
 * @param rotateInterval how long one file collects records before the next one starts
 * @param maxFiles how many files are kept, the newest
 */
public record ArrowExportConfig(Path directory, Duration rotateInterval, int maxFiles) {

  /** Default rotate-interval: 1m per file. */
  public static final Duration DEFAULT_ROTATE_INTERVAL = Duration.ofMinutes(1);

  /** Shortest rotate-interval: 1s. */
  public static final Duration MIN_ROTATE_INTERVAL = Duration.ofSeconds(1);

  /** Longest rotate-interval: 24h. */
  public static final Duration MAX_ROTATE_INTERVAL = Duration.ofHours(24);

  /** Default max-files: 1440, one day of one-minute files. */
  public static final int DEFAULT_MAX_FILES = 1440;

  /** Fewest max-files: 1. */
  public static final int MIN_MAX_FILES = 1;

  /** Most max-files: 1000000. */
  public static final int MAX_MAX_FILES = 1_000_000;

  /** Checks the directory is absolute and the retention in range. */
  public ArrowExportConfig {
    PathRule.absolute("directory", directory);
    Check.range("rotate-interval", rotateInterval, MIN_ROTATE_INTERVAL, MAX_ROTATE_INTERVAL);
    Check.range("max-files", maxFiles, MIN_MAX_FILES, MAX_MAX_FILES);
  }

  /** Files under {@code directory} with the default retention. */
  public static ArrowExportConfig of(Path directory) {
    return new ArrowExportConfig(directory, DEFAULT_ROTATE_INTERVAL, DEFAULT_MAX_FILES);
  }
}
