package dev.flowgate.exporters.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * pmacct's nfacctd on loopback, printing JSON aggregated by 5-tuple every second (each purge prints
 * that second's totals, so a flow's totals are the sum over purges); stopped with SIGINT.
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
    // the LAB.md command line as a config file, plus a 1 s print refresh; stdbuf makes the
    // print plugin's stdout line-buffered so each purge reaches the file at once
    Path config = dir.resolve("nfacctd.conf");
    Files.writeString(
        config,
        String.join(
            "\n",
            "nfacctd_ip: 127.0.0.1",
            "nfacctd_port: " + port,
            "plugins: print",
            "print_output: json",
            "aggregate: src_host,dst_host,src_port,dst_port,proto",
            "print_refresh_time: 1",
            ""));
    Process p =
        new ProcessBuilder("stdbuf", "-oL", "nfacctd", "-f", config.toString())
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
      n.awaitPipelineReady();
    } catch (RuntimeException | IOException | InterruptedException e) {
      n.close();
      throw e;
    }
    return n;
  }

  /** Source address of the readiness probe flow, left out of {@link #records()}. */
  public static final String PROBE_SOURCE = "192.0.2.254";

  /**
   * nfacctd says it is waiting for data before its print plugin is ready to take records: send a
   * one-record v5 probe until the plugin prints it, so that nothing the test sends is lost.
   */
  private void awaitPipelineReady() throws IOException, InterruptedException {
    ByteBuffer probe = ByteBuffer.allocate(24 + 48);
    probe.putShort((short) 5).putShort((short) 1); // v5 header, one record
    probe.position(24);
    probe
        .put(InetAddress.getByName(PROBE_SOURCE).getAddress())
        .put(new byte[] {(byte) 192, 0, 2, (byte) 253});
    probe.position(24 + 16);
    probe.putInt(1).putInt(64); // 1 packet, 64 bytes
    try (DatagramChannel ch = DatagramChannel.open()) {
      while (!Files.readString(out).contains(PROBE_SOURCE)) {
        if (!process.isAlive()) {
          throw new IllegalStateException("nfacctd exited: " + log());
        }
        ch.send(probe.clear(), new InetSocketAddress("127.0.0.1", port));
        Thread.sleep(200);
      }
    }
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
        JsonNode r = json.readTree(line);
        if (!PROBE_SOURCE.equals(r.path("ip_src").asText())) {
          all.add(r);
        }
      }
    }
    return all;
  }

  /**
   * Waits until the printed aggregates add up to {@code packets} packets (the test's timeout bounds
   * it).
   */
  public void awaitPackets(long packets) throws IOException, InterruptedException {
    while (true) {
      long sum = 0;
      for (JsonNode r : records()) {
        sum += r.get("packets").asLong();
      }
      if (sum >= packets) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("nfacctd exited: " + log());
      }
      Thread.sleep(100);
    }
  }

  public String log() throws IOException {
    return Files.readString(err);
  }

  @Override
  public void close() {
    Processes.kill(process);
  }
}
