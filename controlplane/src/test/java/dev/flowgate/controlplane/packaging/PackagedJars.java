package dev.flowgate.controlplane.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/**
 * The tree's packaged jars, as the Debian package ships them: controlplane/target's jar and its
 * runtime jars in target/lib (made by the package phase, before these tests run).
 */
final class PackagedJars {
  private PackagedJars() {}

  /** The module directory (controlplane/), where Maven runs the tests. */
  static Path moduleDir() {
    return Path.of(System.getProperty("user.dir")).toAbsolutePath();
  }

  /** The top of the source tree. */
  static Path treeRoot() {
    return moduleDir().getParent();
  }

  /** A classpath of the packaged jars; every file in it is world-readable. */
  static String classpath() throws IOException {
    Path target = moduleDir().resolve("target");
    List<Path> jars;
    try (Stream<Path> s = Files.list(target)) {
      jars =
          s.filter(p -> p.getFileName().toString().matches("flowgate-controlplane-.*\\.jar"))
              .toList();
    }
    if (jars.size() != 1 || !Files.isDirectory(target.resolve("lib"))) {
      throw new IllegalStateException(
          "no packaged jar in "
              + target
              + ": these tests run after the package phase (mvn verify)");
    }
    return jars.get(0) + ":" + target.resolve("lib") + "/*";
  }

  /**
   * The packaged jars copied into {@code dir} (created, mode 0755, files 0644), for a user who
   * cannot read the source tree (a clone under /root, mode 0700); returns the classpath there.
   */
  static String copiedTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String entry : classpath().split(":")) {
      Path from = Path.of(entry.endsWith("/*") ? entry.substring(0, entry.length() - 2) : entry);
      List<Path> files;
      try (Stream<Path> s = Files.isDirectory(from) ? Files.list(from) : Stream.of(from)) {
        files = s.filter(p -> p.toString().endsWith(".jar")).toList();
      }
      for (Path jar : files) {
        Path to = dir.resolve(jar.getFileName());
        Files.copy(jar, to);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
      }
    }
    return dir + "/*";
  }
}
