package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.lab.Frames;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** BPF_PROG_TEST_RUN through the real programs. */
@Tag("kernel")
@Timeout(60)
class BpfProgramTest {
  private static final int LOOPBACK = 1;

  private BpfObject obj;
  private FlowTable table;

  @BeforeEach
  void load() {
    obj = TestObjects.openFlowgate(1024);
    obj.load();
    table = FlowTable.open(obj);
  }

  @AfterEach
  void close() {
    if (table != null) {
      table.close();
    }
    if (obj != null) {
      obj.close();
    }
  }

  private static byte[] udpFrame() {
    // 14 Ethernet + 20 IPv4 + 8 UDP + 100 payload
    return Frames.ipv4("10.1.0.1", "10.2.0.2").udp(40000, 53).payload(100).build().bytes();
  }

  /**
   * Swaps the flow table and drains the retired half, which must hold one flow: one entry per CPU
   * the runs happened on, all with the same key; entry 0's packets and bytes become their sums.
   */
  private ByteBuffer[] drainOne() {
    int slots = (int) table.capacity();
    ByteBuffer keys = NativeBpf.allocate(slots * Layout.FLOW_KEY_SIZE);
    ByteBuffer values = NativeBpf.allocate(slots * Layout.FLOW_STATS_SIZE);
    int half = table.swap();
    int n = table.drain(half, keys, values);
    assertThat(table.drain(half, keys, values)).isZero();
    assertThat(n).isBetween(1, NativeBpf.nrPossibleCpus());
    long packets = 0;
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      assertThat(keys.slice(i * Layout.FLOW_KEY_SIZE, Layout.FLOW_KEY_SIZE))
          .isEqualTo(keys.slice(0, Layout.FLOW_KEY_SIZE));
      packets += Layout.flowStatsPackets(values, i * Layout.FLOW_STATS_SIZE);
      bytes += Layout.flowStatsBytes(values, i * Layout.FLOW_STATS_SIZE);
    }
    values.putLong(Layout.FLOW_STATS_PACKETS, packets).putLong(Layout.FLOW_STATS_BYTES, bytes);
    return new ByteBuffer[] {keys, values};
  }

  private static byte[] mapped(String v4) throws Exception {
    byte[] a = new byte[16];
    a[10] = (byte) 0xff;
    a[11] = (byte) 0xff;
    System.arraycopy(InetAddress.getByName(v4).getAddress(), 0, a, 12, 4);
    return a;
  }

  @Test
  void udpFrameThroughXdpPassesAndMakesExactlyOneFlow() throws Exception {
    byte[] frame = udpFrame();
    TestRunResult r = obj.program("fg_xdp").testRun(frame, 1);

    assertThat(r.retval()).isEqualTo(BpfProgram.XDP_PASS);
    assertThat(r.dataOut()).isEqualTo(frame);
    ByteBuffer[] kv = drainOne();
    ByteBuffer key = kv[0];
    ByteBuffer stats = kv[1];
    byte[] addr = new byte[16];
    Layout.flowKeySrcAddr(key, 0, addr);
    assertThat(addr).isEqualTo(mapped("10.1.0.1"));
    Layout.flowKeyDstAddr(key, 0, addr);
    assertThat(addr).isEqualTo(mapped("10.2.0.2"));
    assertThat(Layout.flowKeySrcPort(key, 0)).isEqualTo(40000);
    assertThat(Layout.flowKeyDstPort(key, 0)).isEqualTo(53);
    assertThat(Layout.flowKeyProtocol(key, 0)).isEqualTo(17);
    assertThat(Layout.flowKeyIfindex(key, 0)).isEqualTo(LOOPBACK);
    assertThat(Layout.flowKeyDirection(key, 0)).isEqualTo(Layout.DIR_INGRESS);
    assertThat(Layout.flowKeyVlanId(key, 0)).isZero();
    assertThat(Layout.flowStatsPackets(stats, 0)).isEqualTo(1);
    assertThat(Layout.flowStatsBytes(stats, 0)).isEqualTo(20 + 8 + 100);
    assertThat(Layout.flowStatsIpVersion(stats, 0)).isEqualTo(4);
    assertThat(Layout.flowStatsFirstSeenNs(stats, 0)).isPositive();
  }

  @Test
  void repeatCountsEveryRun() {
    TestRunResult r = obj.program("fg_xdp").testRun(udpFrame(), 25);
    assertThat(r.retval()).isEqualTo(BpfProgram.XDP_PASS);
    ByteBuffer[] kv = drainOne();
    assertThat(Layout.flowStatsPackets(kv[1], 0)).isEqualTo(25);
    assertThat(Layout.flowStatsBytes(kv[1], 0)).isEqualTo(25L * 128);
  }

  @Test
  void tcIngressReturnsUnspecAndCountsIngress() {
    TestRunResult r = obj.program("fg_tc_ingress").testRun(udpFrame(), 1);
    assertThat(r.retval()).isEqualTo(BpfProgram.TC_ACT_UNSPEC);
    ByteBuffer[] kv = drainOne();
    assertThat(Layout.flowKeyDirection(kv[0], 0)).isEqualTo(Layout.DIR_INGRESS);
    assertThat(Layout.flowStatsPackets(kv[1], 0)).isEqualTo(1);
    assertThat(Layout.flowStatsBytes(kv[1], 0)).isEqualTo(128);
  }

  @Test
  void tcEgressCountsEgress() {
    TestRunResult r = obj.program("fg_tc_egress").testRun(udpFrame(), 1);
    assertThat(r.retval()).isEqualTo(BpfProgram.TC_ACT_UNSPEC);
    ByteBuffer[] kv = drainOne();
    assertThat(Layout.flowKeyDirection(kv[0], 0)).isEqualTo(Layout.DIR_EGRESS);
  }

  @Test
  void theIfindexOfATestRunIsTheOneAsked() {
    // loopback asked explicitly: the same as the default
    obj.program("fg_xdp").testRun(udpFrame(), 1, LOOPBACK);
    obj.program("fg_tc_ingress").testRun(udpFrame(), 1, LOOPBACK);
    ByteBuffer[] kv = drainOne();
    assertThat(Layout.flowKeyIfindex(kv[0], 0)).isEqualTo(LOOPBACK);
    assertThat(Layout.flowStatsPackets(kv[1], 0)).isEqualTo(2);
  }

  @Test
  void totalsCountTheSameBytesAsTheFlow() {
    obj.program("fg_xdp").testRun(udpFrame(), 3);
    BpfMap totals = obj.map("fg_totals");
    ByteBuffer key =
        NativeBpf.allocate(4).putInt(0, Layout.SLOT_UNKNOWN * Layout.DIR_MAX + Layout.DIR_INGRESS);
    ByteBuffer value = NativeBpf.allocate(totals.valueBufferSize());
    assertThat(totals.lookup(key, value)).isTrue();
    assertThat(Layout.sumPerCpu(value, 0, totals.valueSize(), Layout.IFACE_TOTALS_PACKETS))
        .isEqualTo(3);
    assertThat(Layout.sumPerCpu(value, 0, totals.valueSize(), Layout.IFACE_TOTALS_BYTES))
        .isEqualTo(3 * 128);
    BpfMap errors = obj.map("fg_errors");
    ByteBuffer ekey = NativeBpf.allocate(4).putInt(0, Layout.DP_IFACE_UNKNOWN);
    ByteBuffer evalue = NativeBpf.allocate(errors.valueBufferSize());
    assertThat(errors.lookup(ekey, evalue)).isTrue();
    assertThat(Layout.sumPerCpu(evalue, 0, 8, 0)).isEqualTo(3);
    assertThat(Arrays.asList(Layout.DP_ERROR_NAMES.get(Layout.DP_IFACE_UNKNOWN)))
        .containsExactly("DP_IFACE_UNKNOWN");
  }
}
