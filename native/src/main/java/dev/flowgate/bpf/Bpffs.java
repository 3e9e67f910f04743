package dev.flowgate.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The BPF file system the pins live on. A pin path that is not on a bpffs is either fixed (root
 * outside systemd: a bpffs is mounted there, as an operator would) or refused with one line that
 * says what to do (under systemd the unit prepares it; a non-root user cannot mount).
 */
public final class Bpffs {
  /** Where bpffs is mounted by convention. */
  public static final Path DEFAULT_MOUNT = Path.of("/sys/fs/bpf");

  /** The file store type Linux reports for bpffs (statfs magic BPF_FS_MAGIC). */
  static final String TYPE = "bpf";

  private Bpffs() {}

  /** Whether {@code path}, or its nearest existing ancestor, is on a bpffs. */
  public static boolean isBpffs(Path path) {
    Path p = path.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null) {
      return false;
    }
    try {
      return Files.getFileStore(p).type().equals(TYPE);
    } catch (IOException e) {
      return false;
    }
  }

  /** {@link #ensure(Path, Map, boolean)} for this process: its environment and effective uid. */
  public static Optional<Path> ensure(Path pinPath) {
    return ensure(pinPath, System.getenv(), effectiveUid() == 0);
  }

  /** This process's effective uid (the second field of {@code Uid:} in /proc/self/status). */
  static long effectiveUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through: not root as far as we can tell
    }
    return -1;
  }

  /**
   * Makes sure {@code pinPath} is on a bpffs.
   *
   * @param env the process environment (systemd sets {@code INVOCATION_ID} and, for Type=notify,
   *     {@code NOTIFY_SOCKET})
   * @param root whether the process runs as root
   * @return the directory a bpffs was mounted on, or empty when the path was on one already
   * @throws IllegalStateException with one line saying what to do, when it is not and may not be
   *     mounted here
   */
  public static Optional<Path> ensure(Path pinPath, Map<String, String> env, boolean root) {
    if (isBpffs(pinPath)) {
      return Optional.empty();
    }
    Path at = pinPath.toAbsolutePath().startsWith(DEFAULT_MOUNT) ? DEFAULT_MOUNT : pinPath;
    boolean systemd = env.containsKey("INVOCATION_ID") || env.containsKey("NOTIFY_SOCKET");
    if (!root || systemd) {
      throw new IllegalStateException(
          "pin path "
              + pinPath
              + " is not on a bpffs: "
              + (systemd
                  ? "let the unit prepare it (ExecStartPre=+/bin/sh -c 'mountpoint -q "
                      + at
                      + " || mount -t bpf bpf "
                      + at
                      + "')"
                  : "run as root once, or mount one: mount -t bpf bpf " + at));
    }
    NativeBpf.ensureAvailable();
    try {
      Files.createDirectories(at);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + at + " to mount a bpffs on", e);
    }
    int rc = BpfFds.mountBpffs(at);
    if (rc < 0) {
      throw new BpfException("mount -t bpf bpf " + at, -rc, null);
    }
    return Optional.of(at);
  }
}
