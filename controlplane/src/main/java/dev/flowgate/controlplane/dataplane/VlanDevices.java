package dev.flowgate.controlplane.dataplane;

import dev.flowgate.bpf.BpfException;
import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.netlink.Link;
import dev.flowgate.netlink.LinkTable;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the kernel map {@code fg_vlan_devs} equal to this namespace's VLAN devices, from the same
 * rtnetlink {@link LinkTable} that names interfaces: (parent ifindex, VID) -> the VLAN device's
 * ifindex. The programs read it when a tagged frame starts a flow, so the FIB lookup begins on the
 * device the kernel delivers the frame to (its policy rules, VRF and forwarding setting), as the
 * kernel's forwarding would.
 *
 * <p>Synced once when made and again after every link change the table reports (a VLAN device
 * created, removed, moved; a re-dump after a notification overrun), on the table's monitor thread.
 * A sync reads the map and fixes what differs, so entries pinned by an earlier run are corrected
 * too. Left out: a VLAN device with VID 0 (a priority-tagged frame keys like an untagged one), one
 * whose parent is in another namespace, and any beyond the map's capacity (logged, with how many).
 */
public final class VlanDevices implements Consumer<LinkTable> {
  private static final Logger LOG = LoggerFactory.getLogger(VlanDevices.class);

  /** One entry's key: the VLAN device's parent (where tagged frames arrive) and its VID. */
  public record Key(int parent, int vlanId) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = Integer.compare(parent, o.parent);
      return c != 0 ? c : Integer.compare(vlanId, o.vlanId);
    }
  }

  private final BpfMap map;
  private final ByteBuffer keys;
  private final ByteBuffer values;
  private final ByteBuffer key = NativeBpf.allocate(Layout.VLAN_KEY_SIZE);
  private final ByteBuffer value = NativeBpf.allocate(4);
  private int left;

  /** Over {@code map}, {@code fg_vlan_devs} of the loaded object; syncs nothing yet. */
  public VlanDevices(BpfMap map) {
    this.map = map;
    this.keys = NativeBpf.allocate(map.maxEntries() * map.keySize());
    this.values = NativeBpf.allocate(map.maxEntries() * map.valueBufferSize());
  }

  /** Syncs with {@code links} now and after every change they report. */
  public static VlanDevices follow(BpfMap map, LinkTable links) {
    VlanDevices v = new VlanDevices(map);
    v.sync(links.byIndex().values());
    links.addListener(v);
    return v;
  }

  /** The entries {@code links} call for: every VLAN device with a VID 1..4094 and a parent here. */
  public static Map<Key, Integer> wanted(Collection<Link> links) {
    Map<Key, Integer> out = new TreeMap<>();
    for (Link l : links) {
      if (l.isVlan() && l.parent() > 0 && l.vlanId() >= 1 && l.vlanId() <= 4094) {
        out.put(new Key(l.parent(), l.vlanId()), l.ifindex());
      }
    }
    return out;
  }

  /** The map's entries now. */
  public synchronized Map<Key, Integer> entries() {
    keys.clear();
    values.clear();
    int n = map.lookupBatch(keys, values);
    Map<Key, Integer> out = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      int at = i * map.keySize();
      out.put(
          new Key(Layout.vlanKeyIfindex(keys, at), Layout.vlanKeyVlanId(keys, at)),
          values.getInt(i * map.valueBufferSize()));
    }
    return out;
  }

  /**
   * Makes the map hold exactly the entries {@code links} call for: removes the others, writes the
   * new and the changed ones.
   *
   * @return the VLAN devices the map could not take (it is full), 0 normally
   */
  public synchronized int sync(Collection<Link> links) {
    Map<Key, Integer> want = wanted(links);
    Map<Key, Integer> have = entries();
    int removed = 0;
    int written = 0;
    for (Map.Entry<Key, Integer> e : have.entrySet()) {
      if (!want.containsKey(e.getKey())) {
        map.delete(keyOf(e.getKey()));
        removed++;
      }
    }
    Map<Key, Integer> notTaken = new HashMap<>();
    for (Map.Entry<Key, Integer> e : want.entrySet()) {
      if (e.getValue().equals(have.get(e.getKey()))) {
        continue;
      }
      value.putInt(0, e.getValue());
      try {
        map.update(keyOf(e.getKey()), value, BpfMap.BPF_ANY);
        written++;
      } catch (BpfException ex) {
        notTaken.put(e.getKey(), e.getValue());
      }
    }
    if (removed + written > 0) {
      LOG.info(
          "VLAN devices: {} mapped for tagged flows' route lookups ({} written, {} removed)",
          want.size() - notTaken.size(),
          written,
          removed);
    }
    if (!notTaken.isEmpty() && notTaken.size() != left) {
      Map.Entry<Key, Integer> eg = notTaken.entrySet().iterator().next();
      LOG.warn(
          "VLAN devices: {} of {} not mapped ({} holds {}): their tagged flows are looked up on"
              + " the interface they arrive on, e.g. ifindex {} (VID {} on ifindex {})",
          notTaken.size(),
          want.size(),
          Layout.VLAN_DEVS_MAP,
          map.maxEntries(),
          eg.getValue(),
          eg.getKey().vlanId(),
          eg.getKey().parent());
    }
    left = notTaken.size();
    return left;
  }

  /** Syncs after a link change; a failure is logged, and the next change syncs again. */
  @Override
  public void accept(LinkTable links) {
    try {
      sync(links.byIndex().values());
    } catch (RuntimeException e) {
      LOG.warn("VLAN devices: sync failed: {}", e.getMessage());
    }
  }

  private ByteBuffer keyOf(Key k) {
    Layout.putVlanKey(key, 0, k.parent(), k.vlanId());
    return key;
  }
}
