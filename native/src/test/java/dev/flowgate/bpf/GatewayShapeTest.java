package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.FlowgateUnderTest.FlowCounters;
import dev.flowgate.bpf.FlowgateUnderTest.FlowKey;
import dev.flowgate.bpf.FlowgateUnderTest.Totals;
import dev.flowgate.bpf.GatewayTraffic.Planned;
import dev.flowgate.lab.Await;
import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.GatewayLab;
import dev.flowgate.lab.Lab;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * flowgate on a gateway (LAB.md's shape: client ns, router, server ns): fg_xdp in native mode on
 * the router's client side, fg_tc_egress on its server side, and fg_tc_ingress on the server side
 * too, where VLAN-tagged frames from the server arrive with their outer tag in the skb. A known mix
 * of several hundred flows and thousands of packets (IPv4, IPv6, 802.1Q and QinQ tagged) goes
 * through while a sweeper swaps and drains the flow maps over and over; the drained deltas, summed,
 * must equal what was sent flow by flow on both sides of the router, and the totals must equal the
 * flows. The router is the host namespace (see {@link GatewayLab}): the JNI has no way yet to
 * attach in another network namespace.
 */
@Tag("kernel")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class GatewayShapeTest {
  static final int CLIENT_SIDE_SLOT = 0;
  static final int SERVER_SIDE_SLOT = 1;
  static final int BATCHES = 12;

  private Lab lab;
  private FlowgateUnderTest flowgate;
  private final List<BpfLink> links = new ArrayList<>();
  private Thread sweeper;
  private volatile boolean sweeping;

  @BeforeEach
  void setUp() {
    lab = Lab.open();
    flowgate = FlowgateUnderTest.load(4096, lab.pinDir());
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    try {
      sweeping = false;
      if (sweeper != null) {
        sweeper.join(TimeUnit.SECONDS.toMillis(30));
      }
      for (int i = links.size() - 1; i >= 0; i--) {
        links.get(i).close();
      }
      if (flowgate != null) {
        flowgate.close();
      }
    } finally {
      lab.close();
    }
  }

  @Test
  void everyFlowAddsUpOnBothSidesOfTheRouterWhileSweepsRunConcurrently() {
    GatewayLab gw = GatewayLab.create(lab);
    int rc = gw.routerClientSide().ifindex();
    int rs = gw.routerServerSide().ifindex();
    flowgate.assignSlot(rc, CLIENT_SIDE_SLOT);
    flowgate.assignSlot(rs, SERVER_SIDE_SLOT);
    links.add(BpfLink.attachXdp(flowgate.program("fg_xdp"), rc, XdpMode.NATIVE));
    links.add(BpfLink.attachTc(flowgate.program("fg_tc_egress"), rs, TcDirection.EGRESS));
    links.add(BpfLink.attachTc(flowgate.program("fg_tc_ingress"), rs, TcDirection.INGRESS));
    GatewayTraffic traffic = new GatewayTraffic(gw, 150, 40, BATCHES);
    System.out.printf(
        "gateway mix: %d flows, %d client frames (%d forwarded), %d server frames%n",
        traffic.flows.size(), traffic.clientFrames, traffic.forwardedFrames, traffic.serverFrames);

    // the sweeper: swap and drain, again and again, while the traffic flows
    Map<FlowKey, FlowCounters> drained = new HashMap<>();
    AtomicLong sweeps = new AtomicLong();
    AtomicReference<Throwable> sweeperFailure = new AtomicReference<>();
    sweeping = true;
    sweeper =
        new Thread(
            () -> {
              try {
                while (sweeping) {
                  Map<FlowKey, FlowCounters> delta = flowgate.sweep();
                  synchronized (drained) {
                    delta.forEach((k, v) -> drained.merge(k, v, FlowCounters::plus));
                  }
                  sweeps.incrementAndGet();
                }
              } catch (Throwable t) {
                sweeperFailure.set(t);
              }
            },
            "gateway-sweeper");
    sweeper.start();

    for (int b = 0; b < BATCHES; b++) {
      long before = sweeps.get();
      FrameSender.send(gw.clientEnd(), traffic.clientBatches.get(b));
      FrameSender.send(gw.serverEnd(), traffic.serverBatches.get(b));
      // at least one complete sweep between batches, while the router may still be busy
      Await.until(
          "a sweep after batch " + b,
          () -> sweeps.get() >= before + 2 || sweeperFailure.get() != null);
    }
    Await.until(
        "the router's hooks saw every frame",
        () ->
            sweeperFailure.get() != null
                || (flowgate.totals(CLIENT_SIDE_SLOT, Layout.DIR_INGRESS).allPackets()
                        >= traffic.clientFrames
                    && flowgate.totals(SERVER_SIDE_SLOT, Layout.DIR_EGRESS).allPackets()
                        >= traffic.forwardedFrames
                    && flowgate.totals(SERVER_SIDE_SLOT, Layout.DIR_INGRESS).allPackets()
                        >= traffic.serverFrames));
    sweeping = false;
    try {
      sweeper.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    assertThat(sweeperFailure.get()).as("sweeper failure").isNull();
    flowgate.sweep().forEach((k, v) -> drained.merge(k, v, FlowCounters::plus));
    System.out.printf("gateway: %d sweeps, %d drained keys%n", sweeps.get() + 1, drained.size());

    SoftAssertions soft = new SoftAssertions();
    Map<FlowKey, FlowCounters> rest = new HashMap<>(drained);
    for (Planned p : traffic.flows) {
      List<FlowKey> where =
          switch (p.kind()) {
            case FORWARDED ->
                List.of(p.key().at(rc, Layout.DIR_INGRESS), p.key().at(rs, Layout.DIR_EGRESS));
            case CLIENT_TAGGED -> List.of(p.key().at(rc, Layout.DIR_INGRESS));
            case SERVER_TAGGED -> List.of(p.key().at(rs, Layout.DIR_INGRESS));
          };
      for (FlowKey k : where) {
        soft.assertThat(rest.remove(k)).as(p.kind() + " flow " + k).isEqualTo(p.expected());
      }
    }
    // anything left must be the router's own chatter, leaving on its server side
    long chatter = 0;
    for (Map.Entry<FlowKey, FlowCounters> e : rest.entrySet()) {
      FlowKey k = e.getKey();
      boolean routerOwn =
          GatewayLab.isRouterChatter(k.src(), k.protocol())
              && k.ifindex() == rs
              && k.direction() == Layout.DIR_EGRESS;
      soft.assertThat(routerOwn).as("unexpected flow " + k + " " + e.getValue()).isTrue();
      chatter += e.getValue().packets();
    }
    long taggedFromClient = traffic.clientFrames - traffic.forwardedFrames;
    soft.assertThat(flowgate.totals(CLIENT_SIDE_SLOT, Layout.DIR_INGRESS).packets())
        .as("client side ingress IP packets")
        .isEqualTo(traffic.forwardedFrames + taggedFromClient);
    soft.assertThat(flowgate.totals(SERVER_SIDE_SLOT, Layout.DIR_EGRESS).packets())
        .as("server side egress IP packets")
        .isEqualTo(traffic.forwardedFrames + chatter);
    soft.assertThat(flowgate.totals(SERVER_SIDE_SLOT, Layout.DIR_INGRESS).packets())
        .as("server side ingress IP packets")
        .isEqualTo(traffic.serverFrames);
    for (int[] hook :
        new int[][] {
          {CLIENT_SIDE_SLOT, Layout.DIR_INGRESS, rc},
          {SERVER_SIDE_SLOT, Layout.DIR_EGRESS, rs},
          {SERVER_SIDE_SLOT, Layout.DIR_INGRESS, rs}
        }) {
      Totals t = flowgate.totals(hook[0], hook[1]);
      long flowPackets =
          drained.entrySet().stream()
              .filter(e -> e.getKey().ifindex() == hook[2] && e.getKey().direction() == hook[1])
              .mapToLong(e -> e.getValue().packets())
              .sum();
      long flowBytes =
          drained.entrySet().stream()
              .filter(e -> e.getKey().ifindex() == hook[2] && e.getKey().direction() == hook[1])
              .mapToLong(e -> e.getValue().bytes())
              .sum();
      soft.assertThat(flowPackets)
          .as("flow packets = totals, slot " + hook[0] + " dir " + hook[1])
          .isEqualTo(t.packets());
      soft.assertThat(flowBytes)
          .as("flow bytes = totals, slot " + hook[0] + " dir " + hook[1])
          .isEqualTo(t.bytes());
      soft.assertThat(t.otherPackets())
          .as("other packets, slot " + hook[0] + " dir " + hook[1])
          .isZero();
      soft.assertThat(t.insertFailed())
          .as("insert failed, slot " + hook[0] + " dir " + hook[1])
          .isZero();
    }
    soft.assertThat(
            flowgate.totals(Layout.SLOT_UNKNOWN, Layout.DIR_INGRESS).allPackets()
                + flowgate.totals(Layout.SLOT_UNKNOWN, Layout.DIR_EGRESS).allPackets())
        .as("packets on unknown interfaces")
        .isZero();
    soft.assertThat(sweeps.get())
        .as("sweeps while traffic flowed")
        .isGreaterThanOrEqualTo(2L * BATCHES);
    soft.assertAll();
  }
}
