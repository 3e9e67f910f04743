package dev.flowgate.exporters.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.exporters.FlowRecordWriter;
import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.spool.SinkSpool;
import dev.flowgate.exporters.testing.IpfixTcpCollector;
import dev.flowgate.exporters.testing.Nfcapd;
import dev.flowgate.exporters.testing.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collector with a spool against nfdump's nfcapd on loopback: a burst far larger than any queue
 * arrives whole; records handed while the collector is down wait in the spool and arrive, in order
 * and exactly, when it is back, also after the exporter was closed and started again; an outage
 * longer than the spool's limit drops the oldest, counted exactly.
 */
@Tag("e2e")
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class SpooledExportTest {

  private static final IfNameSource NAMES = IfNameSource.of(Map.of(3L, "veth-fg0"));
  private static final int BATCH = 10_000;

  @TempDir Path tmp;
  private final RootAllocator allocator = new RootAllocator();
  private final FlowRecordWriter rows = new FlowRecordWriter(allocator, BATCH);
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : cleanup) {
      c.close();
    }
    rows.close();
    allocator.close();
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    cleanup.add(0, c);
    return c;
  }

  private CollectorOptions options(int port) {
    return new CollectorOptions()
        .collector("127.0.0.1:" + port)
        .templateRefreshPackets(0)
        .optionsRecordsInSequence(false) // nfdump counts flow records only
        .spoolDirectory(tmp.resolve("spool"));
  }

  /**
   * Writes flows {@code [from, to)}: flow {@code i} from 10.x.y.z (i in the address) to
   * 192.0.2.1:80, {@code i % 7 + 1} packets of 100 bytes each. Returns their volume.
   */
  private Volume write(CollectorExporter exporter, int from, int to) {
    long packets = 0;
    long bytes = 0;
    long now = System.currentTimeMillis();
    for (int at = from; at < to; at += BATCH) {
      int n = Math.min(BATCH, to - at);
      for (int r = 0; r < n; r++) {
        int i = at + r;
        long p = i % 7 + 1;
        // IPv4-mapped ::ffff:10.a.b.c, little-endian words of bytes 0-7 and 8-15
        long src1 = 0xFFFF_0000L | ((long) Integer.reverseBytes(0x0A00_0000 | i) << 32);
        long dst1 = 0xFFFF_0000L | ((long) Integer.reverseBytes(0xC000_0201) << 32);
        rows.writeAddresses(r, 0, src1, 0, dst1);
        rows.writeKey(r, 1024 + (i & 0x7FFF), 80, 17, 4, 3, 0, 0);
        rows.writeCounters(r, 0, 0, p, p * 100, now - 2000, now - 1000, 1);
        packets += p;
        bytes += p * 100;
      }
      rows.publish(n);
      exporter.write(rows.root());
    }
    return new Volume(packets, bytes);
  }

  private static final Pattern STAT =
      Pattern.compile("Flows:\\s*(\\d+).*?Packets:\\s*(\\d+).*?Bytes:\\s*(\\d+)", Pattern.DOTALL);

  /** Flows, packets and bytes in nfcapd's files (nfdump -I), summed. */
  private static long[] nfdumpTotals(Nfcapd nfcapd) throws Exception {
    long[] t = new long[3];
    for (Path f : nfcapd.files()) {
      String out = Processes.run(List.of("nfdump", "-I", "-r", f.toString()));
      Matcher m = STAT.matcher(out);
      assertThat(m.find()).as(out).isTrue();
      for (int i = 0; i < 3; i++) {
        t[i] += Long.parseLong(m.group(i + 1));
      }
    }
    return t;
  }

  @Test
  void aBurstOfAMillionFlowsReachesAHealthyCollectorWhole() throws Exception {
    int port = Processes.freeUdpPort();
    Nfcapd nfcapd = closeLater(Nfcapd.start(tmp, port));
    CollectorExporter exporter = closeLater(CollectorExporter.start(options(port), NAMES));
    int flows = 1_000_000;
    Volume sent = write(exporter, 0, flows); // as fast as the caller can: a burst
    assertThat(exporter.awaitDelivered(Duration.ofSeconds(300))).isTrue();
    exporter.close();
    nfcapd.stop();
    SinkReport r = exporter.report();
    assertThat(r.delivered()).isEqualTo(sent);
    assertThat(r.dropped()).isEqualTo(Volume.ZERO);
    assertThat(r.failed()).isEqualTo(Volume.ZERO);
    assertThat(exporter.stats().recordsSent()).isEqualTo(flows);
    long[] got = nfdumpTotals(nfcapd);
    assertThat(got).as(nfcapd.log()).containsExactly(flows, sent.packets(), sent.bytes());
    assertThat(nfcapd.log()).contains("Sequence Errors: 0");
    assertThat(nfcapd.exporterInfo()).contains("Sequence failures: 0");
  }

  @Test
  void recordsHandedWhileTheCollectorIsDownArriveAfterARestartExactly() throws Exception {
    int port = Processes.freeUdpPort(); // nothing listens yet
    CollectorExporter first =
        CollectorExporter.start(options(port).closeTimeout(Duration.ZERO), NAMES);
    Volume before = write(first, 0, 30_000);
    while (first.stats().sendErrors() < 3) {
      Thread.sleep(20); // the collector refuses, the sender backs off and retries
    }
    SinkReport down = first.report();
    assertThat(down.queued()).isEqualTo(before); // nothing failed, nothing dropped
    assertThat(down.delivered()).isEqualTo(Volume.ZERO);
    first.close(); // what is left stays in the spool
    assertThat(first.report().queued()).isEqualTo(before);

    Nfcapd nfcapd = closeLater(Nfcapd.start(tmp, port));
    CollectorExporter second = closeLater(CollectorExporter.start(options(port), NAMES));
    assertThat(second.report().handed()).isEqualTo(before); // resumed from the spool
    Volume after = write(second, 30_000, 40_000);
    assertThat(second.awaitDelivered(Duration.ofSeconds(120))).isTrue();
    second.close();
    nfcapd.stop();
    assertThat(second.report().delivered()).isEqualTo(before.plus(after));
    long[] got = nfdumpTotals(nfcapd);
    assertThat(got)
        .containsExactly(40_000, before.plus(after).packets(), before.plus(after).bytes());
    assertThat(distinctSources(nfcapd)).isEqualTo(40_000);
    assertThat(nfcapd.exporterInfo()).contains("Sequence failures: 0");
  }

  @Test
  void anOutageLongerThanTheSpoolLimitDropsTheOldestCountedExactly() throws Exception {
    int port = Processes.freeUdpPort();
    CollectorExporter exporter =
        closeLater(
            CollectorExporter.start(options(port).spoolLimit(SinkSpool.MIN_LIMIT_BYTES), NAMES));
    int flows = 60_000; // 4.8 MB of rows into a 1 MiB spool
    Volume handed = write(exporter, 0, flows);
    while (exporter.stats().sendErrors() == 0) {
      Thread.sleep(20);
    }
    SinkReport down = exporter.report();
    assertThat(down.dropped().packets()).isPositive();
    assertThat(down.addsUp()).isTrue();
    Nfcapd nfcapd = closeLater(Nfcapd.start(tmp, port));
    assertThat(exporter.awaitDelivered(Duration.ofSeconds(120))).isTrue();
    exporter.close();
    nfcapd.stop();
    SinkReport r = exporter.report();
    assertThat(r.failed()).isEqualTo(Volume.ZERO);
    assertThat(r.delivered().plus(r.dropped())).isEqualTo(handed);
    long[] got = nfdumpTotals(nfcapd);
    assertThat(got[1]).isEqualTo(r.delivered().packets());
    assertThat(got[2]).isEqualTo(r.delivered().bytes());
    // the newest arrived: the flows that arrived are exactly the last ones written
    Set<String> sources = sources(nfcapd);
    long kept = got[0];
    for (long i = flows - kept; i < flows; i++) {
      assertThat(sources).contains(source((int) i));
    }
  }

  @Test
  void aTcpCollectorThatStopsReadingGetsEveryRecordAfterAKillDuplicatingAtMostTheInDoubt()
      throws Exception {
    IpfixTcpCollector collector = closeLater(new IpfixTcpCollector(true)); // accepts, never reads
    CollectorOptions tcp =
        options(collector.port()).transport(TransportProtocol.TCP).closeTimeout(Duration.ZERO);
    CollectorExporter first = CollectorExporter.start(tcp, NAMES);
    int flows = 200_000; // about 6 MB of IPFIX: far more than the two sockets' buffers
    Volume handed = write(first, 0, flows);
    while (first.report().delivered().isZero()) {
      Thread.sleep(20); // the collector's kernel acknowledged a first part, then the socket fills
    }
    first.close(); // the sender stops at once: a kill, as far as the collector can tell
    SinkReport cut = first.report();
    assertThat(cut.queued().isZero()).isFalse();
    assertThat(cut.failed()).isEqualTo(Volume.ZERO);
    assertThat(cut.dropped()).isEqualTo(Volume.ZERO);

    collector.paused(false); // reads what its kernel holds, and what the dead socket still sends
    CollectorExporter second = closeLater(CollectorExporter.start(tcp, NAMES));
    Volume inDoubt = second.report().inDoubt();
    assertThat(second.awaitDelivered(Duration.ofSeconds(120))).isTrue();
    second.close();
    while (collector.packets() < handed.packets()) {
      Thread.sleep(20);
    }
    Map<Long, Long> got = collector.packetsBySource();
    long duplicated = 0;
    for (int i = 0; i < flows; i++) {
      long expected = i % 7 + 1;
      long seen = got.getOrDefault((long) (0x0A00_0000 | i), 0L);
      assertThat(seen % expected).as("flow %d", i).isZero();
      assertThat(seen).as("flow %d arrived", i).isGreaterThanOrEqualTo(expected);
      duplicated += seen - expected;
    }
    assertThat(collector.packets()).isEqualTo(handed.packets() + duplicated);
    assertThat(duplicated).isLessThanOrEqualTo(inDoubt.packets());
    assertThat(collector.connections()).isGreaterThanOrEqualTo(2);
  }

  private static String source(int i) {
    int a = 0x0A00_0000 | i;
    return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
  }

  private static Set<String> sources(Nfcapd nfcapd) throws Exception {
    Set<String> s = new HashSet<>();
    for (JsonNode r : nfcapd.records()) {
      s.add(r.get("src4_addr").asText());
    }
    return s;
  }

  private static long distinctSources(Nfcapd nfcapd) throws Exception {
    return sources(nfcapd).size();
  }
}
