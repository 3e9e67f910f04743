package dev.flowgate.lab;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes frames, exactly as given, to an interface inside a namespace: one short {@code
 * /usr/bin/python3} process with an AF_PACKET SOCK_RAW socket reads them from a file, so thousands
 * of frames go out of one process. {@link #send} returns once every frame has left the interface:
 * the process has handed each one to the device (retrying only when the qdisc refused it with
 * ENOBUFS, which means it was not sent) and the device's qdisc holds none. A frame the lab itself
 * dropped (the interface's tx_dropped grew) is a {@link LabException}, so a test never blames
 * flowgate for a loss in the lab.
 */
public final class FrameSender {
  private FrameSender() {}

  /** What a send did. */
  public record Report(int frames, long bytes, int retries) {}

  private static final String SCRIPT =
      """
      import errno, socket, struct, sys, time
      ifname, path = sys.argv[1], sys.argv[2]
      s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
      s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
      s.bind((ifname, 0))
      data = open(path, 'rb').read()
      off = n = retries = 0
      while off < len(data):
          (length,) = struct.unpack_from('>I', data, off)
          frame = data[off + 4:off + 4 + length]
          off += 4 + length
          while True:
              try:
                  sent = s.send(frame)
                  break
              except OSError as e:
                  if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                      raise
                  retries += 1
                  time.sleep(0.0005)
          if sent != length:
              sys.exit('short send: %d of %d bytes' % (sent, length))
          n += 1
      print(n, retries)
      """;

  /** Sends {@code frames} out of {@code end}; see the class comment for when it returns. */
  public static Report send(VethPair.End end, List<byte[]> frames) {
    return send(end.netns(), end.name(), frames);
  }

  /**
   * Sends {@code frames} out of {@code end} from a process pinned to CPU {@code cpu} ({@code
   * taskset}): a veth peer's XDP and TC ingress then run on that CPU too, so a test can choose
   * which CPU's slice of the flow table counts them.
   */
  public static Report sendFromCpu(VethPair.End end, List<byte[]> frames, int cpu) {
    return send(end.netns(), end.name(), frames, cpu);
  }

  /** Sends {@code frames} out of interface {@code ifname} of namespace {@code netns}. */
  public static Report send(Netns netns, String ifname, List<byte[]> frames) {
    return send(netns, ifname, frames, -1);
  }

  private static Report send(Netns netns, String ifname, List<byte[]> frames, int cpu) {
    Path file = null;
    try {
      file = Files.createTempFile(Lab.uniqueName() + "-frames", ".bin");
      long bytes = 0;
      try (OutputStream os = Files.newOutputStream(file);
          DataOutputStream out =
              new DataOutputStream(new java.io.BufferedOutputStream(os, 1 << 16))) {
        for (byte[] f : frames) {
          out.writeInt(f.length);
          out.write(f);
          bytes += f.length;
        }
      }
      long droppedBefore = netns.stats(ifname).txDropped();
      Command.Result r =
          (cpu < 0
                  ? netns.run("/usr/bin/python3", "-c", SCRIPT, ifname, file.toString())
                  : netns.run(
                      "taskset",
                      "-c",
                      String.valueOf(cpu),
                      "/usr/bin/python3",
                      "-c",
                      SCRIPT,
                      ifname,
                      file.toString()))
              .orThrow();
      String[] out = r.stdout().strip().split(" ");
      int sent = Integer.parseInt(out[0]);
      if (sent != frames.size()) {
        throw new LabException("sent " + sent + " of " + frames.size() + " frames on " + ifname);
      }
      Await.until(
          "qdisc of " + ifname + " in " + netns + " is empty",
          () -> qdiscBacklog(netns, ifname) == 0);
      long dropped = netns.stats(ifname).txDropped() - droppedBefore;
      if (dropped != 0) {
        throw new LabException(
            ifname
                + " in "
                + netns
                + " dropped "
                + dropped
                + " of "
                + sent
                + " frames (tx_dropped): a lab loss, not flowgate's");
      }
      return new Report(sent, bytes, Integer.parseInt(out[1]));
    } catch (IOException e) {
      throw new LabException("cannot write the frame file", e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temp file left behind is harmless
        }
      }
    }
  }

  /** Packets queued in the root qdisc of {@code ifname} (0 for noqueue). */
  static long qdiscBacklog(Netns netns, String ifname) {
    String json = netns.check("tc", "-j", "-s", "qdisc", "show", "dev", ifname).stdout();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"qlen\":(\\d+)").matcher(json);
    long total = 0;
    while (m.find()) {
      total += Long.parseLong(m.group(1));
    }
    return total;
  }
}
