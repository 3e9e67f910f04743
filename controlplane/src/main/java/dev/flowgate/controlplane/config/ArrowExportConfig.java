package dev.flowgate.controlplane.config;

import dev.flowgate.exporters.arrow.ArrowFileSinkOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code export.arrow:} section: finished flows written as rolling Arrow IPC files.
 *
 * <p>Retention: a new file is started every {@code rotate-interval}; when more than {@code
 * max-files} files exist, the oldest are deleted. Defaults keep one day of one-minute files; the
 * defaults and bounds are {@link ArrowFileSinkOptions}'s, the options the sink is built from.
 *
 * @param directory absolute directory for the files
 * @param rotateInterval how long one file collects records before the next one starts
 * @param maxFiles how many files are kept, the newest
 */
public record ArrowExportConfig(Path directory, Duration rotateInterval, int maxFiles) {

  /** Checks the directory is absolute and the retention in range. */
  public ArrowExportConfig {
    PathRule.absolute("directory", directory);
    Check.range(
        "rotate-interval",
        rotateInterval,
        ArrowFileSinkOptions.MIN_ROTATE_INTERVAL,
        ArrowFileSinkOptions.MAX_ROTATE_INTERVAL);
    Check.range(
        "max-files",
        maxFiles,
        ArrowFileSinkOptions.MIN_MAX_FILES,
        ArrowFileSinkOptions.MAX_MAX_FILES);
  }

  /** Files under {@code directory} with the default retention. */
  public static ArrowExportConfig of(Path directory) {
    return new ArrowExportConfig(
        directory,
        ArrowFileSinkOptions.DEFAULT_ROTATE_INTERVAL,
        ArrowFileSinkOptions.DEFAULT_MAX_FILES);
  }
}
