package dev.flowgate.exporters.collector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TemplateRefresherTest {

  @Test
  void refreshesAfterTheConfiguredDataMessagesOrTime() {
    TemplateRefresher r = new TemplateRefresher(true, 60_000, 2);
    assertThat(r.due(0)).as("before the first data").isTrue();
    r.sent(0);
    r.dataSent();
    assertThat(r.due(1)).isFalse();
    r.dataSent();
    assertThat(r.due(1)).as("after 2 data messages").isTrue();
    r.sent(1);
    assertThat(r.due(60_001)).as("after 60 s").isTrue();
  }

  /** template-refresh-packets: 0, which the config allows, means by time only. */
  @Test
  void zeroPacketsRefreshesByTimeOnly() {
    TemplateRefresher r = new TemplateRefresher(true, 60_000, 0);
    assertThat(r.due(0)).isTrue();
    r.sent(0);
    for (int i = 0; i < 1000; i++) {
      r.dataSent();
      assertThat(r.due(59_999)).isFalse();
    }
    assertThat(r.due(60_000)).isTrue();
    assertThat(new CollectorOptions().templateRefreshPackets(0).templateRefreshPackets()).isZero();
  }

  @Test
  void overTcpOnlyANewSessionOrAnErrorSendsTemplatesAgain() {
    TemplateRefresher r = new TemplateRefresher(false, 1, 1);
    r.sent(0);
    r.dataSent();
    assertThat(r.due(1_000_000)).isFalse();
    r.invalidate();
    assertThat(r.due(1_000_000)).isTrue();
  }
}
