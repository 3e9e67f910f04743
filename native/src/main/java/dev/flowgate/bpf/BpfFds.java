package dev.flowgate.bpf;

import java.nio.file.Path;

/** BPF object file descriptors and their pins on bpffs, shared by maps, links and programs. */
final class BpfFds {
  private BpfFds() {}

  /** Opens the object pinned at {@code path}; returns its fd. */
  static int openPinned(Path path) {
    NativeBpf.ensureAvailable();
    return BpfException.check("open pinned " + path, objGet0(path.toString()));
  }

  /** Pins the object behind {@code fd} at {@code path} (bpffs; the parent must exist). */
  static void pin(int fd, Path path) {
    BpfException.check("pin " + path, objPin0(fd, path.toString()));
  }

  /** Closes an fd this package owns. */
  static void close(int fd) {
    closeFd0(fd);
  }

  private static native int objGet0(String path);

  private static native int objPin0(int fd, String path);

  private static native int closeFd0(int fd);

  /** Mounts a new bpffs (mode 0700) on {@code dir}; -errno on failure. */
  static int mountBpffs(Path dir) {
    return mountBpffs0(dir.toString());
  }

  private static native int mountBpffs0(String path);
}
