package dev.flowgate.controlplane.config;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds files of the source tree (config/flowgate.yaml...) from a test's working directory. */
public final class RepoFiles {

  private RepoFiles() {}

  /**
   * {@code relative} under the repository root: the system property {@code flowgate.repo} if set,
   * else the nearest directory above the working directory that has it.
   */
  public static Path find(String relative) {
    String root = System.getProperty("flowgate.repo");
    if (root != null) {
      return Path.of(root).resolve(relative);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
  }
}
