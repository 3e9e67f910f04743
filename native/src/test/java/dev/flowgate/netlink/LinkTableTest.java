package dev.flowgate.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.lab.Await;
import dev.flowgate.lab.Command;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The rtnetlink link table against real interfaces of this namespace and another. */
@Tag("kernel")
class LinkTableTest {
  private Lab lab;

  @BeforeEach
  void open() {
    lab = Lab.open();
  }

  @AfterEach
  void close() {
    lab.close();
  }

  @Test
  void dumpListsThisNamespacesLinksWithTypeMtuAndState() {
    Netns ns = lab.netns();
    VethPair pair = lab.veth(Netns.HOST, ns);
    pair.a().ip("link", "set", "dev", pair.a().name(), "mtu", "1400");
    pair.a().up();

    Link a =
        Rtnetlink.links().stream()
            .filter(l -> l.name().equals(pair.a().name()))
            .findFirst()
            .orElseThrow();
    assertThat(a.ifindex()).isEqualTo(pair.a().ifindex());
    assertThat(a.type()).isEqualTo(LinkType.ETHER);
    assertThat(a.mtu()).isEqualTo(1400);
    assertThat(a.up()).isTrue();
    assertThat(a.carriesRawIp()).isFalse();
    // a veth is no VLAN device; its IFLA_LINK (the peer) is in the other namespace: no parent
    assertThat(a.isVlan()).isFalse();
    assertThat(a.parent()).isZero();
    // the peer lives in the other namespace: this process does not see it
    assertThat(Rtnetlink.links()).noneMatch(l -> l.name().equals(pair.b().name()));
    assertThat(Rtnetlink.links()).anyMatch(l -> l.name().equals("lo") && l.ifindex() == 1);
  }

  @Test
  void tunDeviceIsRawIp() {
    String name = Lab.uniqueName();
    Command.check("ip", "tuntap", "add", "dev", name, "mode", "tun");
    lab.onClose("tun " + name, () -> Command.check("ip", "link", "del", "dev", name));

    Link tun =
        Rtnetlink.links().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    assertThat(tun.type()).isEqualTo(LinkType.NONE);
    assertThat(tun.carriesRawIp()).isTrue();
  }

  @Test
  void notificationsBringHotPlugRenameAndRemoval() {
    try (LinkTable table = LinkTable.open()) {
      AtomicInteger changes = new AtomicInteger();
      table.addListener(t -> changes.incrementAndGet());
      Netns ns = lab.netns();

      VethPair pair = lab.veth(Netns.HOST, ns);
      String name = pair.a().name();
      Await.until(name + " appears", () -> table.byName(name).isPresent());
      int ifindex = table.byName(name).orElseThrow().ifindex();
      assertThat(ifindex).isEqualTo(pair.a().ifindex());

      pair.a().up();
      Await.until(name + " is up", () -> table.byName(name).orElseThrow().up());

      String renamed = Lab.uniqueName();
      Command.check("ip", "link", "set", "dev", name, "down");
      Command.check("ip", "link", "set", "dev", name, "name", renamed);
      Await.until(name + " renamed", () -> table.byName(renamed).isPresent());
      assertThat(table.byName(name)).isEmpty();
      assertThat(table.byName(renamed).orElseThrow().ifindex()).isEqualTo(ifindex);
      assertThat(table.names()).containsEntry((long) ifindex, renamed);

      Command.check("ip", "link", "del", "dev", renamed);
      Await.until(renamed + " removed", () -> !table.byIndex().containsKey(ifindex));
      assertThat(changes.get()).isPositive();
    }
  }
}
