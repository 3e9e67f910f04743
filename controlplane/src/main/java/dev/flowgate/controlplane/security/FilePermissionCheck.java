package dev.flowgate.controlplane.security;

import dev.flowgate.controlplane.config.FlowgateConfig;
import dev.flowgate.controlplane.config.KafkaExportConfig;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Refuses to run on files that someone other than root or flowgate's own user could change (or, for
 * secrets, read). The rules, checked before anything is attached:
 *
 * <ul>
 *   <li>the config file: owned by root or by the user flowgate runs as, writable by the owner only
 *       (a writer could point flowgate at any interface or file);
 *   <li>the API token file and the TLS key, and each Kafka sink's client key and SCRAM password
 *       file: owned by root or flowgate's user, no access by others, not writable by the group
 *       (group read is allowed: the packaged token is root:flowgate 0640);
 *   <li>the state directory, the files and directories directly in it, and the Arrow directory,
 *       when they exist: owned by root or flowgate's user, writable by the owner only (the state is
 *       replayed and laid over the config at every start).
 * </ul>
 *
 * Missing files are left to the code that reads them. Symbolic links are followed: the rules apply
 * to what is read.
 */
public final class FilePermissionCheck {
  private static final Set<PosixFilePermission> WRITE_BY_OTHERS =
      Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
  private static final Set<PosixFilePermission> SECRET_OPEN =
      Set.of(
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private final int ownUid;
  private final List<String> problems = new ArrayList<>();

  private FilePermissionCheck(int ownUid) {
    this.ownUid = ownUid;
  }

  /**
   * Checks the files of a config loaded from {@code configFile}.
   *
   * @throws UnsafePermissionsException naming every unsafe file, its owner or mode, and the fix
   */
  public static void check(FlowgateConfig config, Path configFile)
      throws UnsafePermissionsException {
    FilePermissionCheck c = new FilePermissionCheck(currentUid());
    c.trusted(configFile, "config file", WRITE_BY_OTHERS, "go-w");
    config.api().tokenFile().ifPresent(p -> c.trusted(p, "API token file", SECRET_OPEN, "640"));
    config.api().tls().ifPresent(t -> c.trusted(t.key(), "TLS key", SECRET_OPEN, "640"));
    for (KafkaExportConfig k : config.export().kafka()) {
      k.tls()
          .flatMap(KafkaExportConfig.Tls::key)
          .ifPresent(p -> c.trusted(p, "Kafka client key of " + k.sinkName(), SECRET_OPEN, "640"));
      k.sasl()
          .ifPresent(
              s ->
                  c.trusted(
                      s.passwordFile(),
                      "SCRAM password file of " + k.sinkName(),
                      SECRET_OPEN,
                      "640"));
    }
    Path state = config.stateDirectory();
    if (c.trusted(state, "state directory", WRITE_BY_OTHERS, "go-w")) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(state)) {
        for (Path entry : entries) {
          c.trusted(entry, "state file", WRITE_BY_OTHERS, "go-w");
        }
      } catch (IOException e) {
        c.problems.add(state + " (state directory) cannot be listed: " + e.getMessage());
      }
    }
    config
        .export()
        .arrow()
        .ifPresent(a -> c.trusted(a.directory(), "Arrow directory", WRITE_BY_OTHERS, "go-w"));
    if (!c.problems.isEmpty()) {
      throw new UnsafePermissionsException(c.problems);
    }
  }

  /**
   * Checks owner and mode of one path if it exists; returns true if it exists and is safe.
   *
   * @param forbidden permission bits the path must not have
   * @param chmod the chmod argument that fixes the mode
   */
  private boolean trusted(
      Path path, String what, Set<PosixFilePermission> forbidden, String chmod) {
    PosixFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path, PosixFileAttributes.class);
    } catch (IOException | UnsupportedOperationException e) {
      return false; // missing or unreadable: the reader reports it
    }
    boolean ok = true;
    int owner = uid(path);
    if (owner != 0 && owner != ownUid) {
      problems.add(
          path
              + " ("
              + what
              + ") is owned by "
              + attrs.owner().getName()
              + ", not by root or the user flowgate runs as (uid "
              + ownUid
              + ")");
      ok = false;
    }
    Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
    open.addAll(attrs.permissions());
    open.retainAll(forbidden);
    if (!open.isEmpty()) {
      problems.add(
          path
              + " ("
              + what
              + ") has mode "
              + PosixFilePermissions.toString(attrs.permissions())
              + ": "
              + describe(open)
              + "; run chmod "
              + chmod
              + " on it");
      ok = false;
    }
    return ok;
  }

  private static String describe(Set<PosixFilePermission> open) {
    List<String> parts = new ArrayList<>();
    if (open.contains(PosixFilePermission.GROUP_WRITE)) {
      parts.add("writable by its group");
    }
    if (open.contains(PosixFilePermission.OTHERS_WRITE)) {
      parts.add("writable by others");
    }
    if (open.contains(PosixFilePermission.OTHERS_READ)) {
      parts.add("readable by others");
    }
    if (open.contains(PosixFilePermission.OTHERS_EXECUTE)) {
      parts.add("open to others");
    }
    return String.join(", ", parts);
  }

  private static int uid(Path path) {
    try {
      return (Integer) Files.getAttribute(path, "unix:uid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return -1;
    }
  }

  private static int currentUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"); // our euid
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return -1; // unknown: only root-owned files pass
    }
  }
}
