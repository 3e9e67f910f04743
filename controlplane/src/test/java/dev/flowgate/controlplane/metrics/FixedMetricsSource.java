package dev.flowgate.controlplane.metrics;

import dev.flowgate.bpf.Layout;
import dev.flowgate.controlplane.sweep.IntervalBatchBuilder;
import dev.flowgate.exporters.EndReason;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.arrow.ArrowFileSinkStats;
import dev.flowgate.exporters.collector.ExporterStats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A {@link MetricsSource} with fixed, known content: {@code interfaces} interfaces named {@code
 * eth0..}, both directions, one collector and one Arrow sink, and one sweep recorded whose interval
 * held one flow per interface, direction, IP version and protocol family (every breakdown series
 * exists). For the catalog test and the scrape benchmark: every metric has series.
 */
final class FixedMetricsSource implements MetricsSource {

  private static final int[] PROTOCOLS = {6, 17, 1, 132};

  private final List<InterfaceTraffic> traffic = new ArrayList<>();
  private final List<InterfaceSamples> samples = new ArrayList<>();
  private final SweepRecorder recorder;

  FixedMetricsSource(int interfaces, BufferAllocator allocator) {
    recorder = new SweepRecorder(262_144, ifindex -> "eth" + (ifindex - 1));
    for (int i = 0; i < interfaces; i++) {
      for (String dir : List.of("ingress", "egress")) {
        traffic.add(
            new InterfaceTraffic(
                "eth" + i,
                dir,
                1000L * (i + 1),
                64_000L * (i + 1),
                3,
                180,
                900L * (i + 1),
                57_600L * (i + 1),
                100L * (i + 1),
                6_400L * (i + 1)));
        samples.add(new InterfaceSamples("eth" + i, dir, 10L * (i + 1), 1, 10L * i + 9, 2, 0, 0));
      }
    }
    int rows = interfaces * 2 * 2 * PROTOCOLS.length;
    ByteBuffer keys =
        ByteBuffer.allocateDirect(rows * Layout.FLOW_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer values =
        ByteBuffer.allocateDirect(rows * Layout.FLOW_STATS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    int r = 0;
    for (int i = 0; i < interfaces; i++) {
      for (int dir = 0; dir < 2; dir++) {
        for (int v : new int[] {4, 6}) {
          for (int proto : PROTOCOLS) {
            int k = r * Layout.FLOW_KEY_SIZE;
            int s = r * Layout.FLOW_STATS_SIZE;
            keys.putInt(k + Layout.FLOW_KEY_IFINDEX, i + 1);
            keys.put(k + Layout.FLOW_KEY_DIRECTION, (byte) dir);
            keys.put(k + Layout.FLOW_KEY_PROTOCOL, (byte) (v == 6 && proto == 1 ? 58 : proto));
            keys.putShort(k + Layout.FLOW_KEY_SRC_PORT, (short) r);
            values.put(s + Layout.FLOW_STATS_IP_VERSION, (byte) v);
            values.putLong(s + Layout.FLOW_STATS_PACKETS, 10 + r);
            values.putLong(s + Layout.FLOW_STATS_BYTES, 1000 + r);
            r++;
          }
        }
      }
    }
    try (IntervalBatchBuilder batch = new IntervalBatchBuilder(allocator, rows)) {
      batch.setAppendListener(recorder::drained);
      batch.append(keys, values, rows, 0);
    }
    Map<EndReason, Long> finished = new EnumMap<>(EndReason.class);
    for (EndReason e : EndReason.values()) {
      finished.put(e, (long) e.code());
    }
    long[] errors = new long[Layout.DP_ERROR_MAX];
    recorder.record(rows, 2_000_000, 500, 1 << 20, finished, errors);
  }

  @Override
  public String version() {
    return "test";
  }

  @Override
  public List<InterfaceTraffic> interfaceTraffic() {
    return traffic;
  }

  @Override
  public List<InterfaceSamples> samples() {
    return samples;
  }

  @Override
  public SweepRecorder sweeps() {
    return recorder;
  }

  @Override
  public long exportedRecords() {
    return 42;
  }

  @Override
  public long sinkFailures() {
    return 0;
  }

  @Override
  public List<ExporterStats> collectors() {
    return List.of(
        new ExporterStats(
            "127.0.0.1:4739", "ipfix", 10, 420, 12_000, 2, 0, 1, 0, 0, 0, 1024, 0, 0, 0, null));
  }

  @Override
  public List<SinkReport> sinks() {
    return List.of(
        new SinkReport(
            "udp:127.0.0.1:4739",
            new Volume(1000, 90_000),
            new Volume(900, 81_000),
            new Volume(40, 3_600),
            new Volume(50, 4_500),
            new Volume(10, 900),
            3,
            "send: java.net.PortUnreachableException"),
        new SinkReport(
            "arrow",
            new Volume(1000, 90_000),
            new Volume(1000, 90_000),
            Volume.ZERO,
            Volume.ZERO,
            Volume.ZERO,
            0,
            null));
  }

  @Override
  public List<SinkReport> sampleSinks() {
    return List.of(
        new SinkReport(
            "psamp:udp:127.0.0.1:4739",
            new Volume(500, 0),
            new Volume(480, 0),
            new Volume(0, 0),
            new Volume(18, 0),
            new Volume(2, 0),
            2,
            "send: java.net.PortUnreachableException"));
  }

  @Override
  public List<dev.flowgate.exporters.kafka.KafkaSinkStats> kafkaSinks() {
    return List.of(
        new dev.flowgate.exporters.kafka.KafkaSinkStats(
            "kafka:flows@127.0.0.1:9092", 12, 12_000, 3, 2, 1000, 4096, null));
  }

  @Override
  public List<ArrowFileSinkStats> arrowSinks() {
    return List.of(
        new ArrowFileSinkStats(
            Path.of("/var/lib/flowgate/flows"), 1, 3, 42, 0, 0, 0, 0, null, null));
  }

  @Override
  public List<dev.flowgate.controlplane.detect.AlertSink> alertSinks() {
    return List.of(sink);
  }

  private final dev.flowgate.controlplane.detect.AlertSink sink =
      new dev.flowgate.controlplane.detect.LogAlertSink();
}
