package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.lab.Await;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The parser-table rows BPF_PROG_TEST_RUN cannot give a TC program (an IPv4 or IPv6 EtherType with
 * less than the fixed IP header behind it: the kernel refuses such a test run), sent for real
 * through a veth to fg_tc_ingress: each is "other", truncated, with the bytes past Ethernet.
 */
@Tag("kernel")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcShortFrameTest {
  static final int SLOT = 9;

  @RegisterExtension final FlowgateLab fg = new FlowgateLab();

  @Test
  void ipFramesShorterThanTheirFixedHeaderAreOtherAndTruncatedAtTcIngress() {
    Netns ns = fg.lab().netns();
    VethPair veth = fg.lab().quietVeth(Netns.HOST, ns);
    int ifindex = veth.a().ifindex();
    fg.flowgate().assignSlot(ifindex, SLOT);
    fg.attached(
        BpfLink.attachTc(fg.flowgate().program("fg_tc_ingress"), ifindex, TcDirection.INGRESS));

    byte[] v4 = Frames.ipv4("198.51.100.1", "203.0.113.1").udp(1, 2).build().bytes();
    byte[] v6 = Frames.ipv6("2001:db8::1", "2001:db8::2").udp(1, 2).build().bytes();
    List<byte[]> frames = new ArrayList<>();
    long otherBytes = 0;
    for (int ip = 0; ip < 20; ip++) {
      frames.add(Arrays.copyOf(v4, 14 + ip));
      otherBytes += ip;
    }
    for (int ip = 0; ip < 40; ip++) {
      frames.add(Arrays.copyOf(v6, 14 + ip));
      otherBytes += ip;
    }
    FrameSender.send(veth.b(), frames);

    Await.until(
        "TC ingress saw " + frames.size(),
        () -> fg.flowgate().totals(SLOT, Layout.DIR_INGRESS).allPackets() >= frames.size());
    assertThat(fg.flowgate().totals(SLOT, Layout.DIR_INGRESS))
        .isEqualTo(new FlowgateUnderTest.Totals(0, 0, frames.size(), otherBytes, 0, 0));
    long[] expectedErrors = new long[Layout.DP_ERROR_MAX];
    expectedErrors[Layout.DP_PARSE_TRUNCATED] = frames.size();
    assertThat(fg.flowgate().errors())
        .as(Layout.DP_ERROR_NAMES.toString())
        .containsExactly(expectedErrors);
    assertThat(fg.flowgate().flows()).isEmpty();
  }
}
