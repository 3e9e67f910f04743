package dev.flowgate.controlplane.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
      jars = s.filter(p -> p.getFileName().toString().matches("flowgate-controlplane-.*\\.jar"))
          .toList();
    }
    if (jars.size() != 1 || !Files.isDirectory(target.resolve("lib"))) {
      throw new IllegalStateException("no packaged jar in " + target
          + ": these tests run after the package phase (mvn verify)");
    }
    return jars.get(0) + ":" + target.resolve("lib") + "/*";
  }
}
