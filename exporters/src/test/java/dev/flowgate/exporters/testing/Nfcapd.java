package dev.flowgate.exporters.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * nfdump's collector on loopback (LAB.md flags): start, stop with SIGTERM (it writes its file and
 * logs the sequence errors), then read the flows with {@code nfdump -o json}.
 */
public final class Nfcapd implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final Process process;
  private final Path log;

  private Nfcapd(Path dir, int port, Process process, Path log) {
    this.dir = dir;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /** Starts nfcapd writing under a new directory inside {@code parent}, on {@code port}. */
  public static Nfcapd start(Path parent, int port) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(parent, "nfcapd");
    Path log = dir.resolve("nfcapd.log");
    Path data = Files.createDirectory(dir.resolve("data"));
    Process p =
        new ProcessBuilder(
                "nfcapd",
                "-w",
                data.toString(),
                "-b",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "-t",
                "3600",
                "-B",
                "8388608")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    Nfcapd n = new Nfcapd(data, port, p, log);
    try {
      Processes.awaitUdpBound(port, p);
      // nfcapd binds before it initialises its decoders: wait for its start-up line too
      while (!Files.readString(log).contains("Startup nfcapd.")) {
        if (!p.isAlive()) {
          throw new IllegalStateException("nfcapd exited: " + Files.readString(log));
        }
        Thread.sleep(20);
      }
    } catch (RuntimeException | IOException | InterruptedException e) {
      n.close();
      throw e;
    }
    return n;
  }

  public int port() {
    return port;
  }

  /** SIGTERM and wait: the flow file is complete afterwards. */
  public void stop() throws InterruptedException, IOException {
    Processes.awaitUdpDrained(port); // nfcapd does not read what is still queued after SIGTERM
    process.destroy();
    Processes.awaitExit(process, 30);
  }

  /** nfcapd's own log (it reports "Sequence Errors" on exit). */
  public String log() throws IOException {
    return Files.readString(log);
  }

  /** The flow files written (after {@link #stop}). */
  public List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().startsWith("nfcapd.2")).sorted().toList();
    }
  }

  /** Every flow record of every file, as nfdump's JSON objects. */
  public List<JsonNode> records() throws IOException, InterruptedException {
    List<JsonNode> all = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (Path f : files()) {
      String out = Processes.run(List.of("nfdump", "-r", f.toString(), "-o", "json"));
      if (out.isBlank() || !out.trim().startsWith("[") || out.contains("No matching flows")) {
        // nfdump's words for a file without flows: "[\nNo matching flows\n]", as in the file
        // nfcapd starts at the top of each hour (seen in CI: a test crossing 07:00)
        continue;
      }
      JsonNode tree = json.readTree(out);
      tree.forEach(all::add);
    }
    return all;
  }

  /** Asserts with {@link ExpectedFlows#assertNfdump}, adding nfcapd's log to a failure. */
  public void assertDecoded(List<TestFlow> flows, boolean ipv6, boolean vlan, Object context)
      throws IOException, InterruptedException {
    List<JsonNode> records = records();
    try {
      ExpectedFlows.assertNfdump(records, flows, ipv6, vlan);
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + "\nnfcapd log:\n"
              + log()
              + "\n"
              + context
              + "\nrecords: "
              + records.size(),
          e);
    }
  }

  /** {@code nfdump -E} of every file: exporters, their sequence failures, samplers. */
  public String exporterInfo() throws IOException, InterruptedException {
    StringBuilder sb = new StringBuilder();
    for (Path f : files()) {
      sb.append(Processes.run(List.of("nfdump", "-E", f.toString())));
    }
    return sb.toString();
  }

  @Override
  public void close() {
    Processes.kill(process);
  }
}
