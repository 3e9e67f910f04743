package dev.flowgate.controlplane.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.controlplane.dataplane.VlanDevices.Key;
import dev.flowgate.netlink.Link;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * fg_vlan_devs of the real object, kept from link tables. The links are made up: this kernel cannot
 * create VLAN devices (the rtnetlink parse of real and crafted messages is tested in the native
 * module), so they stand for what rtnetlink would report.
 */
@Tag("kernel")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VlanDevicesTest {
  static final int ETHER = 1;

  private Path pins;

  @BeforeEach
  void pinPath() throws Exception {
    pins = Files.createTempDirectory(Path.of("/sys/fs/bpf"), "fg-vlantest-");
  }

  @AfterEach
  void removePins() throws Exception {
    try (var paths = Files.walk(pins)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static Link plain(int ifindex, String name) {
    return new Link(ifindex, name, ETHER, 1500, true);
  }

  static Link vlan(int ifindex, int parent, int vid) {
    return new Link(ifindex, "v" + ifindex, ETHER, 1500, true, parent, vid);
  }

  @Test
  void theMapHoldsEveryVlanDeviceWithAParentHereAndFollowsChanges() {
    try (Dataplane dp = Dataplane.load(pins, 4096, Layout.DEFAULT_SNAP)) {
      VlanDevices v = new VlanDevices(dp.vlanDevices());
      List<Link> links =
          List.of(
              plain(2, "trunk0"),
              vlan(7, 2, 10),
              vlan(8, 2, 20),
              vlan(9, 0, 30), // parent in another namespace
              vlan(10, 2, 0), // VID 0 keys like untagged
              new Link(11, "veth0", ETHER, 1500, true, 12, Link.NOT_VLAN), // a veth's peer
              vlan(13, 7, 100)); // QinQ: a VLAN device on a VLAN device

      assertThat(v.sync(links)).isZero();
      assertThat(v.entries())
          .isEqualTo(Map.of(new Key(2, 10), 7, new Key(2, 20), 8, new Key(7, 100), 13));

      // v10 goes, VID 20 moves to a new device, a second trunk appears
      List<Link> next =
          List.of(plain(2, "trunk0"), vlan(14, 2, 20), plain(3, "trunk1"), vlan(15, 3, 10));
      assertThat(v.sync(next)).isZero();
      assertThat(v.entries()).isEqualTo(Map.of(new Key(2, 20), 14, new Key(3, 10), 15));
    }
  }

  @Test
  void entriesPinnedByAnEarlierRunAreCorrectedAtTheNextSync() {
    try (Dataplane first = Dataplane.load(pins, 4096, Layout.DEFAULT_SNAP)) {
      // as an earlier run left them: a device since deleted, one since re-created
      put(first.vlanDevices(), 2, 10, 7);
      put(first.vlanDevices(), 2, 30, 9);
    }
    try (Dataplane second = Dataplane.load(pins, 4096, Layout.DEFAULT_SNAP)) {
      VlanDevices v = new VlanDevices(second.vlanDevices());
      assertThat(v.entries()).hasSize(2); // the pinned map was reused
      v.sync(List.of(plain(2, "trunk0"), vlan(21, 2, 10)));
      assertThat(v.entries()).isEqualTo(Map.of(new Key(2, 10), 21));
    }
  }

  @Test
  void devicesBeyondTheMapsCapacityAreCountedNotMapped() {
    try (Dataplane dp = Dataplane.load(pins, 4096, Layout.DEFAULT_SNAP)) {
      BpfMap map = dp.vlanDevices();
      List<Link> links = new ArrayList<>();
      int ifindex = 100;
      int parents = map.maxEntries() / 4094 + 1;
      for (int p = 1; p <= parents; p++) {
        for (int vid = 1; vid <= 4094; vid++) {
          links.add(vlan(ifindex++, p, vid));
        }
      }
      VlanDevices v = new VlanDevices(map);

      assertThat(v.sync(links)).isEqualTo(links.size() - map.maxEntries());
      assertThat(v.entries()).hasSize(map.maxEntries());
    }
  }

  private static void put(BpfMap map, int parent, int vid, int dev) {
    ByteBuffer k = NativeBpf.allocate(Layout.VLAN_KEY_SIZE);
    Layout.putVlanKey(k, 0, parent, vid);
    map.update(k, NativeBpf.allocate(4).putInt(0, dev), BpfMap.BPF_ANY);
  }
}
