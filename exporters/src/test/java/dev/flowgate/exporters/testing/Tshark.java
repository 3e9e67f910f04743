package dev.flowgate.exporters.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A tshark capture on loopback and its NetFlow/IPFIX (cflow) decoding. */
public final class Tshark implements AutoCloseable {

  private final Process process;
  private final Path file;
  private final Path err;

  private Tshark(Process process, Path file, Path err) {
    this.process = process;
    this.file = file;
    this.err = err;
  }

  /** Captures {@code filter} (a capture filter, e.g. "udp port 4739") on lo into a new file. */
  public static Tshark capture(Path parent, String filter)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(parent, "tshark");
    Path file = dir.resolve("capture.pcapng");
    Path err = dir.resolve("tshark.log");
    Process p =
        new ProcessBuilder("tshark", "-i", "lo", "-f", filter, "-w", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(err.toFile())
            .start();
    Tshark t = new Tshark(p, file, err);
    try {
      // "Capturing on" comes before dumpcap runs; "File:" once it writes
      while (!Files.readString(err).contains("File: \"")) {
        if (!p.isAlive()) {
          throw new IllegalStateException("tshark exited: " + Files.readString(err));
        }
        Thread.sleep(20);
      }
    } catch (RuntimeException | IOException | InterruptedException e) {
      t.close();
      throw e;
    }
    return t;
  }

  /**
   * Waits until the capture file, decoded with {@code decodeAs}, holds {@code expected} occurrences
   * of {@code needle} (dumpcap writes with a delay and drops what it has not written when stopped),
   * then stops the capture. The test's timeout bounds the wait.
   */
  public String stopOnceDecoded(String decodeAs, String needle, long expected)
      throws IOException, InterruptedException {
    while (true) {
      try {
        if (count(decodeJson(decodeAs), needle) >= expected) {
          break;
        }
      } catch (IOException e) {
        // the file is being written: its last packet may be cut short; read it again
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("tshark exited: " + Files.readString(err));
      }
      Thread.sleep(100);
    }
    stop();
    return decodeJson(decodeAs);
  }

  /** Occurrences of {@code needle} in {@code text}. */
  public static long count(String text, String needle) {
    long n = 0;
    for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
      n++;
    }
    return n;
  }

  /** SIGINT and wait: the capture file is complete afterwards. */
  public void stop() throws IOException, InterruptedException {
    Processes.signal(process, "INT");
    Processes.awaitExit(process, 30);
  }

  /** {@code tshark -r FILE -d DECODE_AS -T json}: e.g. decodeAs "udp.port==4739,cflow". */
  public String decodeJson(String decodeAs) throws IOException, InterruptedException {
    return Processes.run(List.of("tshark", "-r", file.toString(), "-d", decodeAs, "-T", "json"));
  }

  /** {@code tshark -r FILE -d DECODE_AS -V}: the full text dissection. */
  public String decodeText(String decodeAs) throws IOException, InterruptedException {
    return Processes.run(List.of("tshark", "-r", file.toString(), "-d", decodeAs, "-V"));
  }

  @Override
  public void close() {
    Processes.kill(process);
  }
}
