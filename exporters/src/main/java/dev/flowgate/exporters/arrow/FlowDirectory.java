package dev.flowgate.exporters.arrow;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The directory of flow files: which finished and temporary files it holds, which name the next
 * file gets, and which files retention deletes. Files whose names are not flow file names are never
 * touched. One directory belongs to one sink.
 */
final class FlowDirectory {

  private final Path directory;

  FlowDirectory(Path directory) {
    this.directory = directory;
  }

  /** The directory itself. */
  Path path() {
    return directory;
  }

  /** Creates the directory and its parents if needed. */
  void create() throws IOException {
    Files.createDirectories(directory);
  }

  /** The finished flow files, oldest first. */
  List<Path> finishedFiles() throws IOException {
    return sorted(true);
  }

  /** The files left under a temporary name, oldest first. */
  List<Path> temporaryFiles() throws IOException {
    return sorted(false);
  }

  /**
   * The name for a new file of the interval starting at {@code start}: sequence 0 if no file of
   * that interval is in the directory, else one past the highest (finished, temporary or being
   * recovered), so a new file always sorts after the older ones of its interval, even when
   * retention has deleted some of those.
   */
  FlowFileName freeName(Instant start) throws IOException {
    int highest = -1;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        Optional<FlowFileName> name = anyName(entry);
        if (name.isPresent() && name.get().start().equals(start)) {
          highest = Math.max(highest, name.get().sequence());
        }
      }
    }
    return new FlowFileName(start, highest + 1);
  }

  /** Where {@code name} is once finished. */
  Path finishedPath(FlowFileName name) {
    return directory.resolve(name.finished());
  }

  /** Where {@code name} is while it is written. */
  Path temporaryPath(FlowFileName name) {
    return directory.resolve(name.temporary());
  }

  /** The finished path for a temporary file found in the directory. */
  static Path finishedPathOf(Path temporary) {
    String name = temporary.getFileName().toString();
    return temporary.resolveSibling(
        name.substring(0, name.length() - FlowFileName.TEMP_SUFFIX.length()));
  }

  /**
   * The finished files beyond the newest {@code keep}, oldest first: the ones retention deletes.
   */
  List<Path> beyondNewest(int keep) throws IOException {
    List<Path> all = finishedFiles();
    int excess = all.size() - keep;
    return excess <= 0 ? List.of() : List.copyOf(all.subList(0, excess));
  }

  /** A missing directory holds no files. */
  private List<Path> sorted(boolean finished) throws IOException {
    Map<FlowFileName, Path> byName = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path entry : entries) {
        Optional<FlowFileName> name =
            finished ? FlowFileName.parseFinished(entry) : FlowFileName.parseTemporary(entry);
        name.ifPresent(n -> byName.put(n, entry));
      }
    } catch (NoSuchFileException gone) {
      return List.of();
    }
    return byName.isEmpty() ? Collections.emptyList() : new ArrayList<>(byName.values());
  }

  private static Optional<FlowFileName> anyName(Path entry) {
    String name = entry.getFileName().toString();
    if (name.endsWith(FlowFileName.RECOVERY_SUFFIX)) {
      name = name.substring(0, name.length() - FlowFileName.RECOVERY_SUFFIX.length());
    } else if (name.endsWith(FlowFileName.TEMP_SUFFIX)) {
      name = name.substring(0, name.length() - FlowFileName.TEMP_SUFFIX.length());
    }
    return FlowFileName.parseFinished(Path.of(name));
  }
}
