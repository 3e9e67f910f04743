package dev.flowgate.exporters.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.exporters.FlowSchema;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.KnownFlows;
import dev.flowgate.exporters.testing.TestFlow;
import java.io.ByteArrayInputStream;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Arrow messages: each one whole IPC stream with exactly FlowSchema's schema, none larger than the
 * limit, together every row once, in order, with the volumes the sink counts.
 */
@Timeout(30)
class ArrowMessageEncoderTest {

  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  @Test
  void aBatchIsSplitUnderTheLimitAndEveryRowComesBackOnce() throws Exception {
    List<TestFlow> flows = KnownFlows.batch(1_764_000_000_000L, 5000);
    int limit = 64 << 10;
    List<KafkaMessage> messages;
    try (VectorSchemaRoot root = FlowBatches.build(allocator, flows)) {
      messages = new ArrowMessageEncoder(limit).encode(root, 0);
    }
    assertThat(messages).hasSizeGreaterThan(5);
    int rows = 0;
    long packets = 0;
    for (KafkaMessage m : messages) {
      assertThat(m.value().length).isLessThanOrEqualTo(limit);
      assertThat(m.key()).isNull();
      try (ArrowStreamReader reader =
          new ArrowStreamReader(new ByteArrayInputStream(m.value()), allocator)) {
        VectorSchemaRoot r = reader.getVectorSchemaRoot();
        assertThat(r.getSchema()).isEqualTo(FlowSchema.SCHEMA);
        assertThat(reader.loadNextBatch()).isTrue();
        assertThat(r.getRowCount()).isEqualTo(m.records());
        for (int i = 0; i < r.getRowCount(); i++) {
          TestFlow expected = flows.get(rows + i);
          assertThat(((org.apache.arrow.vector.UInt8Vector) r.getVector(FlowSchema.PACKETS_INDEX))
                  .get(i))
              .isEqualTo(expected.packets());
        }
        assertThat(reader.loadNextBatch()).isFalse();
      }
      rows += m.records();
      packets += m.flows().packets();
    }
    assertThat(rows).isEqualTo(flows.size());
    assertThat(packets).isEqualTo(flows.stream().mapToLong(TestFlow::packets).sum());
    assertThat(messages.stream().map(KafkaMessage::flows).reduce(Volume.ZERO, Volume::plus).bytes())
        .isEqualTo(flows.stream().mapToLong(TestFlow::bytes).sum());
  }
}
