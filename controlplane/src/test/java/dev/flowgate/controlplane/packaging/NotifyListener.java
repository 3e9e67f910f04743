package dev.flowgate.controlplane.packaging;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What systemd's end of NOTIFY_SOCKET does for a Type=notify service: an AF_UNIX datagram socket
 * that receives sd_notify messages. Java 17 cannot bind one, so Debian's python3 does, and prints
 * each datagram (newlines escaped as "|") on a line of its own.
 */
final class NotifyListener implements AutoCloseable {
  private static final String SCRIPT =
      """
      import socket, sys
      s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
      s.bind(sys.argv[1])
      print("LISTENING", flush=True)
      while True:
          data = s.recv(65536)
          print(data.decode("utf-8", "replace").replace("\\n", "|"), flush=True)
      """;

  private final Process python;
  private final Path socket;
  private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  private NotifyListener(Process python, Path socket) {
    this.python = python;
    this.socket = socket;
  }

  /** Binds a datagram socket at {@code socket} and collects what arrives. */
  static NotifyListener open(Path socket) throws Exception {
    Process p =
        new ProcessBuilder("/usr/bin/python3", "-c", SCRIPT, socket.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    NotifyListener l = new NotifyListener(p, socket);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String first = in.readLine();
    if (!"LISTENING".equals(first)) {
      l.close();
      throw new IllegalStateException("notify listener did not start: " + first);
    }
    Thread reader =
        new Thread(
            () -> {
              try {
                for (String line; (line = in.readLine()) != null; ) {
                  l.messages.add(line);
                }
              } catch (IOException e) {
                // the listener was closed
              }
            },
            "notify-listener");
    reader.setDaemon(true);
    reader.start();
    return l;
  }

  /** The next message, its state lines joined by "|"; fails after {@code seconds}. */
  String next(int seconds) throws InterruptedException {
    String m = messages.poll(seconds, TimeUnit.SECONDS);
    if (m == null) {
      throw new IllegalStateException("no sd_notify message in " + seconds + " s; so far: " + seen);
    }
    seen.add(m);
    return m;
  }

  /** Messages until one contains {@code state} (inclusive); fails after {@code seconds}. */
  List<String> until(String state, int seconds) throws InterruptedException {
    List<String> got = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      long left = TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime());
      String m = next((int) Math.max(1, left));
      got.add(m);
      if (List.of(m.split("\\|")).contains(state)) {
        return got;
      }
    }
  }

  @Override
  public void close() throws IOException {
    python.destroy();
    Files.deleteIfExists(socket);
  }
}
