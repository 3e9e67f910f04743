package dev.flowgate.exporters.arrow;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of one finished flow file: {@code flows-20261125T134500Z.arrow}, the UTC start of its
 * rotate interval, with {@code -N} before the extension when that name was taken already (a restart
 * within the interval, or a file abandoned after a write error). Ordered by start, then N, which is
 * the order the files were written in as long as the clock does not go back.
 *
 * @param start the UTC start of the file's rotate interval, whole seconds
 * @param sequence 0 for the first file of the interval, then 1, 2, ...
 */
record FlowFileName(Instant start, int sequence) implements Comparable<FlowFileName> {

  /** Extension of a finished file. */
  static final String EXTENSION = ".arrow";

  /** Appended to a finished file's name while it is written; readers skip these. */
  static final String TEMP_SUFFIX = ".tmp";

  /** Appended while a crash-left temporary file is rewritten as a finished one. */
  static final String RECOVERY_SUFFIX = ".part";

  private static final String PREFIX = "flows-";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern FINISHED =
      Pattern.compile("flows-(\\d{8}T\\d{6}Z)(?:-(\\d{1,9}))?\\.arrow");

  private static final Comparator<FlowFileName> ORDER =
      Comparator.comparing(FlowFileName::start).thenComparingInt(FlowFileName::sequence);

  /** The file name of the finished file. */
  String finished() {
    String stamp = STAMP.format(start);
    return PREFIX + stamp + (sequence == 0 ? "" : "-" + sequence) + EXTENSION;
  }

  /** The name it has while it is written. */
  String temporary() {
    return finished() + TEMP_SUFFIX;
  }

  /** The next name for the same interval. */
  FlowFileName next() {
    return new FlowFileName(start, sequence + 1);
  }

  /** The name of a finished file in the directory, or empty for any other file. */
  static Optional<FlowFileName> parseFinished(Path file) {
    Matcher m = FINISHED.matcher(file.getFileName().toString());
    if (!m.matches()) {
      return Optional.empty();
    }
    Instant start = STAMP.parse(m.group(1), Instant::from);
    int sequence = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
    return Optional.of(new FlowFileName(start, sequence));
  }

  /** The name of a temporary file in the directory, or empty for any other file. */
  static Optional<FlowFileName> parseTemporary(Path file) {
    String name = file.getFileName().toString();
    if (!name.endsWith(EXTENSION + TEMP_SUFFIX)) {
      return Optional.empty();
    }
    return parseFinished(Path.of(name.substring(0, name.length() - TEMP_SUFFIX.length())));
  }

  @Override
  public int compareTo(FlowFileName other) {
    return ORDER.compare(this, other);
  }
}
