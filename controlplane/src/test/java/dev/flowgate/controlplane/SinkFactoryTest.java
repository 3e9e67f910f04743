package dev.flowgate.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.config.CollectorConfig;
import dev.flowgate.controlplane.config.HostPort;
import dev.flowgate.exporters.collector.CollectorOptions;
import dev.flowgate.exporters.collector.ExportProtocol;
import dev.flowgate.exporters.collector.TransportProtocol;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SinkFactoryTest {

  @Test
  void everyCollectorSettingReachesTheExporter() {
    CollectorConfig c =
        new CollectorConfig(
            new HostPort("127.0.0.1", 2055),
            ExportProtocol.NETFLOW_V9,
            TransportProtocol.UDP,
            Duration.ofSeconds(30),
            7,
            1200,
            42,
            false);
    CollectorOptions o = SinkFactory.collectorOptions(c).validate();
    assertThat(o.collector()).isEqualTo("127.0.0.1:2055");
    assertThat(o.protocol()).isEqualTo(dev.flowgate.exporters.collector.ExportProtocol.NETFLOW_V9);
    assertThat(o.templateRefresh()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.templateRefreshPackets()).isEqualTo(7);
    assertThat(o.maxMessageSize()).isEqualTo(1200);
    assertThat(o.observationDomainId()).isEqualTo(42);
    assertThat(o.optionsRecordsInSequence()).isFalse();
  }

  /**
   * The config allows template-refresh-packets: 0 (by time only); the exporter used to refuse it.
   */
  @Test
  void templateRefreshByTimeOnlyIsAccepted() {
    CollectorConfig c =
        new CollectorConfig(
            new HostPort("127.0.0.1", 4739),
            ExportProtocol.IPFIX,
            TransportProtocol.UDP,
            Duration.ofSeconds(60),
            0,
            1400,
            1,
            true);
    assertThat(SinkFactory.collectorOptions(c).validate().templateRefreshPackets()).isZero();
  }
}
