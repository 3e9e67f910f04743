package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.FlowgateUnderTest.FlowCounters;
import dev.flowgate.bpf.FlowgateUnderTest.FlowKey;
import dev.flowgate.lab.Await;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * GSO accounting on a real veth: a TCP transfer from the host to a server in a namespace, with
 * fg_tc_egress on the host end, where the stack hands over GSO super-packets (segmented only after
 * TC, on transmit), and fg_xdp on the namespace end, which sees the segments one by one. Both count
 * the same packets and bytes flow by flow, and the same totals. A second, foreign TC classifier on
 * the host end counts the skbs it runs on: fewer than the packets, or no super-packet was seen and
 * the test proves nothing.
 */
@Tag("kernel")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class GsoAccountingTest {
  static final int EGRESS_SLOT = 3;
  static final int INGRESS_SLOT = 4;
  static final int BYTES = 4 << 20;
  static final int PORT = 5201;

  static final String SERVER =
      """
      import socket, sys
      s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); print("ready", flush=True)
      c, _ = s.accept(); n = 0
      while True:
          b = c.recv(1 << 20)
          if not b: break
          n += len(b)
      c.close(); print(n, flush=True)
      """;

  @RegisterExtension final FlowgateLab fg = new FlowgateLab();
  private BpfObject foreign;

  @Test
  void tcEgressCountsSuperPacketsAsTheSegmentsXdpSeesOnThePeer() throws Exception {
    // XDP goes on the peer while it is still in the host namespace (the JNI attaches there only);
    // it stays attached when the device moves into the server's namespace
    VethPair pair = fg.lab().veth(Netns.HOST, Netns.HOST);
    Netns ns = fg.lab().netns();
    int hostIf = pair.a().ifindex();
    int peerIf = pair.b().ifindex();
    fg.flowgate().assignSlot(hostIf, EGRESS_SLOT);
    fg.flowgate().assignSlot(peerIf, INGRESS_SLOT);
    fg.attached(BpfLink.attachXdp(fg.flowgate().program("fg_xdp"), peerIf, XdpMode.NATIVE));
    Netns.HOST.check("ip", "link", "set", "dev", pair.b().name(), "netns", ns.name());
    VethPair.End server = new VethPair.End(pair.b().name(), ns);
    assertThat(server.ifindex()).as("the peer's ifindex in its namespace").isEqualTo(peerIf);

    long pid = ProcessHandle.current().pid();
    String net = "10." + (200 + pid % 50) + "." + (pid / 50 % 250) + ".";
    pair.a().conf("ipv6", "disable_ipv6", "1").up();
    server.conf("ipv6", "disable_ipv6", "1").up();
    pair.a().ip("addr", "add", net + "1/30", "dev", pair.a().name());
    server.ip("addr", "add", net + "2/30", "dev", server.name());

    fg.attached(
        BpfLink.attachTc(fg.flowgate().program("fg_tc_egress"), hostIf, TcDirection.EGRESS));
    foreign = fg.lab().closeLater(BpfObject.open(TestObjects.test("t_foreign_tc")));
    foreign.load();
    fg.attached(BpfLink.attachTcx(foreign.program("t_foreign_tc"), hostIf, TcDirection.EGRESS));

    Process srv =
        new ProcessBuilder(ns.argv(List.of("/usr/bin/python3", "-c", SERVER, net + "2", "" + PORT)))
            .redirectErrorStream(true)
            .start();
    fg.lab().onClose("tcp server", srv::destroyForcibly);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(srv.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("ready");
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(net + "2", PORT), 10_000);
      OutputStream os = s.getOutputStream();
      byte[] chunk = new byte[1 << 16];
      for (int sent = 0; sent < BYTES; sent += chunk.length) {
        os.write(chunk);
      }
    }
    assertThat(out.readLine()).as("bytes the server received").isEqualTo("" + BYTES);
    assertThat(srv.waitFor(30, TimeUnit.SECONDS)).isTrue();

    // the host's last ACK may still be on its way to the peer
    Await.until(
        "the peer's XDP saw what TC egress counted",
        () ->
            fg.flowgate().totals(INGRESS_SLOT, Layout.DIR_INGRESS).allPackets()
                >= fg.flowgate().totals(EGRESS_SLOT, Layout.DIR_EGRESS).allPackets());
    FlowgateUnderTest.Totals egress = fg.flowgate().totals(EGRESS_SLOT, Layout.DIR_EGRESS);
    FlowgateUnderTest.Totals ingress = fg.flowgate().totals(INGRESS_SLOT, Layout.DIR_INGRESS);
    assertThat(egress).isEqualTo(ingress);
    assertThat(egress.packets()).isGreaterThan(BYTES / 65_536);

    Map<FlowKey, FlowCounters> tc = new HashMap<>();
    Map<FlowKey, FlowCounters> xdp = new HashMap<>();
    fg.flowgate()
        .sweep()
        .forEach(
            (k, v) -> {
              if (k.ifindex() == hostIf && k.direction() == Layout.DIR_EGRESS) {
                tc.merge(k.at(0, 0), v, FlowCounters::plus);
              } else if (k.ifindex() == peerIf && k.direction() == Layout.DIR_INGRESS) {
                xdp.merge(k.at(0, 0), v, FlowCounters::plus);
              }
            });
    assertThat(tc).isNotEmpty().isEqualTo(xdp);
    long runs = foreignRuns();
    System.out.printf(
        "gso: %d flows, %d packets in %d egress runs%n", tc.size(), egress.allPackets(), runs);
    assertThat(runs)
        .as("TC egress runs: fewer than packets (super-packets)")
        .isLessThan(egress.allPackets());
  }

  private long foreignRuns() {
    BpfMap seen = foreign.map("t_foreign_seen");
    ByteBuffer key = NativeBpf.allocate(4);
    ByteBuffer value = NativeBpf.allocate(seen.valueBufferSize());
    seen.lookup(key, value);
    return value.getLong(0);
  }
}
