package dev.flowgate.exporters.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CollectorOptionsTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    CollectorOptions o = new CollectorOptions().collector("127.0.0.1:4739");
    assertThat(o.protocol()).isEqualTo(ExportProtocol.IPFIX);
    assertThat(o.transport()).isEqualTo(TransportProtocol.UDP);
    assertThat(o.templateRefresh()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.templateRefreshPackets()).isEqualTo(20);
    assertThat(o.maxMessageSize()).isEqualTo(1400);
    assertThat(o.observationDomainId()).isEqualTo(1);
    assertThat(o.collector()).isEqualTo("127.0.0.1:4739");
  }

  @Test
  void collectorAcceptsNamesAndBracketedIpv6() {
    assertThat(new CollectorOptions().collector("[::1]:2055").host()).isEqualTo("::1");
    assertThat(new CollectorOptions().collector("collector.example:2055").port()).isEqualTo(2055);
    assertThat(new CollectorOptions().collector("[::1]:2055").collector()).isEqualTo("[::1]:2055");
  }

  @Test
  void badValuesAreRejectedWithTheReason() {
    CollectorOptions o = new CollectorOptions();
    assertThatThrownBy(() -> o.collector("localhost")).hasMessageContaining("host:port");
    assertThatThrownBy(() -> o.collector("::1:4739")).hasMessageContaining("[addr]:port");
    assertThatThrownBy(() -> o.collector("h:0")).hasMessageContaining("1..65535");
    assertThatThrownBy(() -> o.maxMessageSize(100)).hasMessageContaining("512..65507");
    assertThatThrownBy(() -> o.templateRefresh(Duration.ZERO)).hasMessageContaining("1s..24h");
    assertThatThrownBy(() -> o.templateRefreshPackets(-1))
        .hasMessageContaining("0 (by time only) to 1000000");
    assertThatThrownBy(() -> o.observationDomainId(1L << 32)).hasMessageContaining("0..4294967295");
  }

  @Test
  void tcpIsOnlyForIpfix() {
    CollectorOptions o =
        new CollectorOptions()
            .collector("h:1")
            .protocol(ExportProtocol.NETFLOW_V9)
            .transport(TransportProtocol.TCP);
    assertThatThrownBy(o::validate).hasMessageContaining("only for protocol ipfix");
    assertThatThrownBy(new CollectorOptions()::validate)
        .hasMessageContaining("collector is required");
  }
}
