package dev.flowgate.exporters.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.exporters.IfNameSource;
import dev.flowgate.exporters.ipfix.IpfixTemplates;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.KnownFlows;
import dev.flowgate.exporters.testing.TestFlow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The exporter against sockets of the test: what goes on the wire, in which order, and when. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CollectorExporterTest {

  private final RootAllocator allocator = new RootAllocator();

  @AfterEach
  void closeAllocator() {
    allocator.close();
  }

  @ParameterizedTest
  @EnumSource(ExportProtocol.class)
  void templatesComeFirstAndSequenceNumbersCountWhatTheProtocolCounts(ExportProtocol protocol)
      throws Exception {
    List<TestFlow> flows = KnownFlows.batch(System.currentTimeMillis(), 500);
    List<ByteBuf> messages = new ArrayList<>();
    ExporterStats stats;
    try (DatagramSocket collector = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      collector.setReceiveBufferSize(4 << 20);
      CollectorExporter exporter =
          CollectorExporter.start(
              new CollectorOptions()
                  .collector("127.0.0.1", collector.getLocalPort())
                  .protocol(protocol)
                  .templateRefreshPackets(7),
              IfNameSource.of(Map.of(1L, "lo", 3L, "veth0")));
      try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
        exporter.write(root);
      }
      assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
      exporter.close();
      stats = exporter.stats();
      byte[] buf = new byte[65536];
      for (long i = 0; i < stats.messagesSent(); i++) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        collector.receive(p);
        assertThat(p.getLength()).isLessThanOrEqualTo(CollectorOptions.DEFAULT_MAX_MESSAGE_SIZE);
        messages.add(Unpooled.copiedBuffer(buf, 0, p.getLength()));
      }
    }
    long expectedSequence = 0;
    long flowRecords = 0;
    int templateMessages = 0;
    int dataSinceTemplates = Integer.MAX_VALUE;
    for (int i = 0; i < messages.size(); i++) {
      ByteBuf m = messages.get(i);
      switch (protocol) {
        case IPFIX -> {
          assertThat(m.getUnsignedShort(0)).isEqualTo(10);
          assertThat(m.getUnsignedShort(2)).isEqualTo(m.readableBytes());
          assertThat(m.getUnsignedInt(8))
              .as("sequence of message %d", i)
              .isEqualTo(expectedSequence);
          int set = m.getUnsignedShort(16);
          if (set == 2) {
            templateMessages++;
            assertThat(dataSinceTemplates)
                .isGreaterThanOrEqualTo(7); // refreshed after 7 data messages
            dataSinceTemplates = 0;
          } else {
            int records = ipfixDataRecords(m);
            expectedSequence += records; // every data record, options records included (RFC 7011)
            if (set >= 258) {
              continue;
            }
            assertThat(templateMessages).as("templates before data").isPositive();
            flowRecords += records;
            dataSinceTemplates++;
          }
        }
        case NETFLOW_V9 -> {
          assertThat(m.getUnsignedShort(0)).isEqualTo(9);
          assertThat(m.getUnsignedInt(12)).as("v9 counts packets").isEqualTo(i);
          int flowset = m.getUnsignedShort(20);
          if (flowset == 0) {
            templateMessages++;
            dataSinceTemplates = 0;
          } else if (flowset == 256 || flowset == 257) {
            assertThat(templateMessages).isPositive();
            flowRecords += m.getUnsignedShort(2); // count: all flow records here
            dataSinceTemplates++;
          }
        }
        case NETFLOW_V5 -> {
          assertThat(m.getUnsignedShort(0)).isEqualTo(5);
          assertThat(m.getUnsignedInt(16)).as("v5 counts flows").isEqualTo(expectedSequence);
          assertThat(m.getUnsignedShort(22)).as("sampling interval").isZero();
          expectedSequence += m.getUnsignedShort(2);
          flowRecords += m.getUnsignedShort(2);
        }
      }
      m.release();
    }
    long ipv6 = flows.stream().filter(f -> !f.ipv4()).count();
    long expectedRecords =
        protocol == ExportProtocol.NETFLOW_V5 ? flows.size() - ipv6 + 1396 : flows.size();
    assertThat(flowRecords).isEqualTo(expectedRecords).isEqualTo(stats.recordsSent());
    if (protocol != ExportProtocol.NETFLOW_V5) {
      assertThat(templateMessages).isEqualTo(stats.templateMessagesSent()).isGreaterThan(1);
    }
  }

  /** Data records in an IPFIX message, from set lengths and the template record sizes. */
  private static int ipfixDataRecords(ByteBuf m) {
    int n = 0;
    for (int at = 16; at < m.readableBytes(); at += m.getUnsignedShort(at + 2)) {
      int id = m.getUnsignedShort(at);
      int size =
          switch (id) {
            case 256 -> 63;
            case 257 -> 87;
            case 258 -> 36;
            case 259 -> 20;
            default -> throw new AssertionError("set " + id);
          };
      n += (m.getUnsignedShort(at + 2) - 4) / size;
    }
    return n;
  }

  @Test
  void tcpCollectorDownKeepsTheNewestMessagesAndResumesWithTemplatesFirst() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort(); // free now, and nothing listens there until we say so
    }
    int capacity = 4;
    CollectorExporter exporter =
        CollectorExporter.start(
            new CollectorOptions()
                .collector("127.0.0.1", port)
                .transport(TransportProtocol.TCP)
                .queueCapacity(capacity),
            IfNameSource.none());
    long written = 0;
    try (VectorSchemaRoot root = FlowBatches.build(allocator, List.of())) {
      List<TestFlow> flows = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        flows.add(
            TestFlow.of(
                "10.9." + (i / 250) + "." + (i % 250 + 1),
                "10.8.0.1",
                1000 + i,
                53,
                TestFlow.UDP,
                1,
                80));
      }
      FlowBatches.fill(root, flows); // 100 messages of 20 records
      exporter.write(root);
      written += flows.size();
      ExporterStats down = exporter.stats();
      assertThat(down.queueDepth()).isLessThanOrEqualTo(capacity);
      // nothing can be sent: all but the queued ones and at most one in the sender's hands are gone
      assertThat(down.messagesDropped()).isGreaterThanOrEqualTo(91 - capacity - 1);
      while (exporter.stats().sendErrors() == 0) {
        Thread.sleep(10); // the sender's first connection attempt is refused
      }

      try (ServerSocket collector = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> readAll(collector, received));
        reader.start();
        assertThat(exporter.awaitDelivered(Duration.ofSeconds(60))).isTrue();
        exporter.close();
        reader.join();
        ExporterStats up = exporter.stats();
        assertThat(up.recordsSent() + up.recordsDropped()).isEqualTo(written);
        assertThat(up.sessionsOpened()).isEqualTo(1);
        ByteBuf stream = Unpooled.wrappedBuffer(received.toByteArray());
        assertThat(stream.getUnsignedShort(16)).as("first set is the template set").isEqualTo(2);
        long records = 0;
        long messages = 0;
        while (stream.isReadable()) {
          int length = stream.getUnsignedShort(stream.readerIndex() + 2);
          ByteBuf m = stream.readSlice(length);
          if (m.getUnsignedShort(16) == 256) {
            records += (m.getUnsignedShort(18) - 4) / IpfixTemplates.IPV4_RECORD_LENGTH;
          }
          messages++;
        }
        assertThat(records).isEqualTo(up.recordsSent());
        assertThat(messages).isEqualTo(up.messagesSent());
      }
    }
  }

  private static void readAll(ServerSocket server, ByteArrayOutputStream into) {
    try (Socket s = server.accept();
        InputStream in = s.getInputStream()) {
      in.transferTo(into);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void writeAfterCloseIsRefused() {
    CollectorExporter exporter =
        CollectorExporter.start(
            new CollectorOptions().collector("127.0.0.1:9"), IfNameSource.none());
    exporter.close();
    try (VectorSchemaRoot root = FlowBatches.build(allocator, List.of())) {
      assertThatThrownBy(() -> exporter.write(root)).isInstanceOf(IllegalStateException.class);
    }
  }
}
