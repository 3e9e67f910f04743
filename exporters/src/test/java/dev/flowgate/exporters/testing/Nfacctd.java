package dev.flowgate.exporters.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * pmacct's nfacctd on loopback, printing JSON aggregated by 5-tuple; stopped with SIGINT, which
 * purges its cache to stdout.
 */
public final class Nfacctd implements AutoCloseable {

  private final Process process;
  private int port;
  private final Path out;
  private final Path err;

  private Nfacctd(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  public static Nfacctd start(Path parent, int port) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory(parent, "nfacctd");
    Path out = dir.resolve("out.json");
    Path err = dir.resolve("err.log");
    Process p =
        new ProcessBuilder(
                "nfacctd", "-L", "127.0.0.1", "-l", Integer.toString(port), "-P", "print", "-O", "json",
                "-c", "src_host,dst_host,src_port,dst_port,proto")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    Nfacctd n = new Nfacctd(p, out, err);
    n.port = port;
    try {
      Processes.awaitUdpBound(port, p);
      while (!Files.readString(err).contains("waiting for NetFlow/IPFIX data")) {
        if (!p.isAlive()) {
          throw new IllegalStateException("nfacctd exited: " + Files.readString(err));
        }
        Thread.sleep(20);
      }
    } catch (RuntimeException | IOException | InterruptedException e) {
      n.close();
      throw e;
    }
    return n;
  }

  /** SIGINT and wait: the aggregated flows are on stdout afterwards. */
  public void stop() throws IOException, InterruptedException {
    Processes.awaitUdpDrained(port);
    Processes.signal(process, "INT");
    Processes.awaitExit(process, 30);
  }

  /** The purged aggregates, one JSON object each. */
  public List<JsonNode> records() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> all = new ArrayList<>();
    for (String line : Files.readAllLines(out)) {
      if (line.startsWith("{")) {
        all.add(json.readTree(line));
      }
    }
    return all;
  }

  public String log() throws IOException {
    return Files.readString(err);
  }

  @Override
  public void close() {
    Processes.kill(process);
  }
}
