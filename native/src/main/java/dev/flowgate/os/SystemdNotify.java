package dev.flowgate.os;

import dev.flowgate.bpf.NativeBpf;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * sd_notify(3) for a service under systemd (Type=notify): state strings such as {@code READY=1},
 * {@code STATUS=...}, {@code STOPPING=1} sent as one AF_UNIX datagram to {@code $NOTIFY_SOCKET}.
 * Java 17 has no AF_UNIX datagram sockets, so the JNI shim sends it (an OS call, not a BPF one:
 * hence its own package, in the native module that holds the shim).
 */
public final class SystemdNotify {
  /** The environment variable systemd sets for Type=notify services. */
  public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";

  private SystemdNotify() {}

  /**
   * Sends {@code state} to {@code $NOTIFY_SOCKET}.
   *
   * @return false if the variable is unset (not started by systemd): nothing to do
   * @throws UncheckedIOException if the datagram cannot be sent
   */
  public static boolean notify(String state) {
    String socket = System.getenv(NOTIFY_SOCKET);
    if (socket == null || socket.isEmpty()) {
      return false;
    }
    notify(socket, state);
    return true;
  }

  /**
   * Sends {@code state} to the socket at {@code socketPath}: a file system path, or {@code @name}
   * for an abstract socket.
   *
   * @throws UncheckedIOException if the datagram cannot be sent
   */
  public static void notify(String socketPath, String state) {
    NativeBpf.ensureAvailable();
    int rc = notify0(socketPath, state);
    if (rc < 0) {
      throw new UncheckedIOException(
          new IOException(
              "sd_notify to "
                  + socketPath
                  + ": "
                  + NativeBpf.strerror(-rc)
                  + " (errno "
                  + -rc
                  + ")"));
    }
  }

  private static native int notify0(String socketPath, String state);
}
