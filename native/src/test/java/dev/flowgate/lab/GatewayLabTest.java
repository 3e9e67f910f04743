package dev.flowgate.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Tag("kernel")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GatewayLabTest {
  private final Lab lab = Lab.open();

  @AfterEach
  void closeLab() {
    lab.close();
  }

  @Test
  void routerForwardsEveryClientFrameToTheServerAndNothingElse() {
    GatewayLab gw = GatewayLab.create(lab);
    MacAddress[] macs = gw.clientFrameMacs();
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      frames.add(
          i % 2 == 0
              ? Frames.ipv4(
                      GatewayLab.CLIENT_V4_PREFIX + (1 + i % 50),
                      GatewayLab.SERVER_V4_PREFIX + (1 + i % 7))
                  .macs(macs[0], macs[1])
                  .udp(1000 + i, 53)
                  .payload(i % 300)
                  .build()
                  .bytes()
              : Frames.ipv6(
                      GatewayLab.CLIENT_V6_PREFIX + (1 + i % 50),
                      GatewayLab.SERVER_V6_PREFIX + (1 + i % 7))
                  .macs(macs[0], macs[1])
                  .tcp(2000 + i, 443, Frames.TCP_SYN)
                  .build()
                  .bytes());
    }
    InterfaceStats serverBefore = gw.serverEnd().stats();
    InterfaceStats rcBefore = gw.routerClientSide().stats();
    FrameSender.send(gw.clientEnd(), frames);

    Await.until(
        "server received 2000",
        () -> gw.serverEnd().stats().rxPackets() - serverBefore.rxPackets() >= 2000);
    InterfaceStats server = gw.serverEnd().stats();
    System.out.println("router client side " + rcBefore + " -> " + gw.routerClientSide().stats());
    System.out.println("router server side " + gw.routerServerSide().stats());
    System.out.println("server " + serverBefore + " -> " + server);
    assertThat(server.rxPackets() - serverBefore.rxPackets()).isEqualTo(2000);
    assertThat(gw.routerClientSide().stats().rxDropped()).isZero();
    assertThat(gw.clientEnd().stats().txPackets()).isEqualTo(2000);
    // nothing comes back: the server and the client stay silent
    assertThat(gw.serverEnd().stats().txPackets()).isZero();
  }

  @Test
  void framesToAnAddressOutsideTheLabAreBlackholedNotRoutedToTheUplink() {
    GatewayLab gw = GatewayLab.create(lab);
    MacAddress[] macs = gw.clientFrameMacs();
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      frames.add(
          Frames.ipv4(GatewayLab.CLIENT_V4_PREFIX + "1", "192.0.2.99")
              .macs(macs[0], macs[1])
              .udp(9, 9)
              .build()
              .bytes());
    }
    long serverBefore = gw.serverEnd().stats().rxPackets();
    FrameSender.send(gw.clientEnd(), frames);
    Await.until("router took 100", () -> gw.routerClientSide().stats().rxPackets() >= 100);
    assertThat(gw.serverEnd().stats().rxPackets()).isEqualTo(serverBefore);
    // the lab's table ends in a blackhole, and a lookup for a client frame never yields a route
    // (the kernel answers EINVAL for an input blackhole): nothing leaves through the uplink
    assertThat(
            Netns.HOST
                .check("ip", "route", "show", "table", String.valueOf(gw.routingTable()))
                .stdout())
        .contains("blackhole default");
    Command.Result lookup =
        Netns.HOST.run(
            "ip",
            "route",
            "get",
            "192.0.2.99",
            "from",
            GatewayLab.CLIENT_V4_PREFIX + "1",
            "iif",
            gw.routerClientSide().name());
    assertThat(lookup.ok() ? lookup.stdout() : "").doesNotContain("dev");
  }
}
