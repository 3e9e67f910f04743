package dev.flowgate.controlplane.packaging;

import dev.flowgate.lab.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** Small questions about this machine's files, users and commands, for the packaging tests. */
final class Host {
  private Host() {}

  /** Runs a command (no shell); returns its result whatever the exit code. */
  static Command.Result run(String... argv) {
    return Command.run(List.of(argv));
  }

  /** "rw-r----- root:flowgate" for a path. */
  static String modeAndOwner(Path p) throws Exception {
    PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
    return PosixFilePermissions.toString(a.permissions())
        + " "
        + a.owner().getName()
        + ":"
        + a.group().getName();
  }

  /** True if the Debian package is installed (or half-installed, or has config files left). */
  static boolean packageKnown(String name) {
    Command.Result r = run("dpkg-query", "-W", "-f=${Status}", name);
    return r.ok() && !r.stdout().isBlank() && !r.stdout().contains("not-installed");
  }
}
