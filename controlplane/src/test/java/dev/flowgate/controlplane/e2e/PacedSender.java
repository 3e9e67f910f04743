package dev.flowgate.controlplane.e2e;

import dev.flowgate.lab.Lab;
import dev.flowgate.lab.VethPair;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends frames out of a veth end at a bounded rate (frames per second), from one {@code
 * /usr/bin/python3} process with an AF_PACKET socket. The schedule never bursts to catch up: a
 * sender that fell behind shifts its schedule, so no second carries more than the rate. {@link
 * #start} returns once the first frame is out (the moment a test reads the sweep count from);
 * {@link #await} once the last one is.
 */
final class PacedSender implements AutoCloseable {
  private static final String SCRIPT =
      """
      import errno, socket, struct, sys, time
      ifname, path, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
      s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
      s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
      s.bind((ifname, 0))
      data = open(path, 'rb').read()
      frames, off = [], 0
      while off < len(data):
          (n,) = struct.unpack_from('>I', data, off)
          frames.append(data[off + 4:off + 4 + n])
          off += 4 + n
      print('ready', flush=True)
      sys.stdin.readline()
      t0 = time.monotonic()
      for i, f in enumerate(frames):
          due = t0 + i / rate
          now = time.monotonic()
          if due - now > 0.001:
              time.sleep(due - now)
          elif now - due > 0.02:
              t0 = now - i / rate  # late: shift the schedule, never burst
          while True:
              try:
                  s.send(f)
                  break
              except OSError as e:
                  if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                      raise
                  time.sleep(0.0005)
          if i == 0:
              print('first', flush=True)
      print('done', len(frames), flush=True)
      """;

  private final Process process;
  private final BufferedReader out;
  private final Path file;

  private PacedSender(Process process, Path file) {
    this.process = process;
    this.file = file;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Starts sending {@code frames} out of {@code end} at {@code rate} per second; returns after the
   * first.
   */
  static PacedSender start(VethPair.End end, List<byte[]> frames, double rate) throws IOException {
    Path file = Files.createTempFile(Lab.uniqueName() + "-paced", ".bin");
    try (OutputStream os = Files.newOutputStream(file);
        DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(os, 1 << 16))) {
      for (byte[] f : frames) {
        o.writeInt(f.length);
        o.write(f);
      }
    }
    List<String> argv =
        end.netns()
            .argv(
                List.of("/usr/bin/python3", "-c", SCRIPT, end.name(), file.toString(), "" + rate));
    Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    PacedSender s = new PacedSender(p, file);
    s.expect("ready");
    Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
    in.write("go\n");
    in.flush();
    s.expect("first");
    return s;
  }

  private void expect(String word) throws IOException {
    String line = out.readLine();
    if (line == null || !line.startsWith(word)) {
      throw new IllegalStateException("paced sender said " + line + ", expected " + word);
    }
  }

  /** Waits for the last frame; returns the frames sent. */
  int await() throws Exception {
    String line = out.readLine();
    if (!process.waitFor(120, TimeUnit.SECONDS) || line == null || !line.startsWith("done")) {
      throw new IllegalStateException("paced sender ended with " + line);
    }
    return Integer.parseInt(line.split(" ")[1]);
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    Files.deleteIfExists(file);
  }
}
