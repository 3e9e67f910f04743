package dev.flowgate.controlplane.dataplane;

import dev.flowgate.bpf.BpfException;
import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.BpfObject;
import dev.flowgate.bpf.BpfProgram;
import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.NativeBpf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The loaded BPF object and its maps, pinned under {@code <pin-path>/<schema-version>/maps} so that
 * a restarted flowgate finds the counters the kernel kept while it was away.
 *
 * <p>The programs count flows into one half of the flow table ({@link FlowTable}). {@link
 * #swapFlowTable()} points them at the other half and returns only after every running program has
 * finished, so the half it returns has no writer left and can be drained completely without losing
 * an increment.
 */
public final class Dataplane implements AutoCloseable {

  /** The XDP program (ingress). */
  public static final String PROG_XDP = "fg_xdp";

  /** The TC ingress program (fallback when native XDP is not possible, or mode tc). */
  public static final String PROG_TC_INGRESS = "fg_tc_ingress";

  /** The TC egress program. */
  public static final String PROG_TC_EGRESS = "fg_tc_egress";

  private final BpfObject object;
  private final Path root;
  private final FlowTable table;
  private final BpfMap totals;
  private final BpfMap errors;
  private final BpfMap settings;
  private final BpfMap settingsFar;
  private final BpfMap samples;
  private final BpfMap sampleCounts;
  private final int maxFlows;

  private Dataplane(BpfObject object, Path root, int maxFlows) {
    this.object = object;
    this.root = root;
    this.maxFlows = maxFlows;
    this.table = FlowTable.open(object);
    this.totals = object.map("fg_totals");
    this.errors = object.map("fg_errors");
    this.settings = object.map("fg_settings");
    this.settingsFar = object.map("fg_settings_far");
    this.samples = object.map("fg_samples");
    this.sampleCounts = object.map("fg_sample_counts");
  }

  /**
   * Loads the object with a flow table for {@code maxFlows} flows per interval ({@link
   * FlowTable#flowsPerCpu}, {@link FlowTable#configure}), pinning (or reusing) its maps under
   * {@code pinPath/<schema-version>/maps}.
   *
   * @throws BpfException if the kernel refuses the object (the verifier log is in the detail)
   */
  public static Dataplane load(Path pinPath, int maxFlows, int snapLength) {
    Path root = pinPath.resolve(String.valueOf(Layout.SCHEMA_VERSION));
    Path maps = root.resolve("maps");
    try {
      Files.createDirectories(maps);
      Files.createDirectories(root.resolve("links"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create pin directory " + maps, e);
    }
    BpfObject object = BpfObject.openDefault();
    try {
      FlowTable.configure(object, FlowTable.flowsPerCpu(maxFlows, NativeBpf.nrPossibleCpus()));
      object.setGlobal("fg_snap_len", snapLength);
      object.pinMapsUnder(maps);
      loadReusingPins(object, maps, maxFlows);
      return new Dataplane(object, root, maxFlows);
    } catch (RuntimeException e) {
      object.close();
      throw e;
    }
  }

  /**
   * Loads the object; a pinned map of an earlier run whose shape differs (the flow table of another
   * flows.max-flows or CPU count) becomes a message that says what to do about it.
   */
  private static void loadReusingPins(BpfObject object, Path maps, int maxFlows) {
    try {
      object.load();
    } catch (BpfException e) {
      String detail = e.detail() == null ? "" : e.detail();
      if (!detail.contains("reuse pinned map")) {
        throw e;
      }
      throw new IllegalStateException(
          "the maps pinned under "
              + maps
              + " were made by a run with another shape (flows.max-flows now "
              + maxFlows
              + " on "
              + NativeBpf.nrPossibleCpus()
              + " CPUs, or another flowgate build): start once with the old flows.max-flows and"
              + " dataplane.keep-attached: false, so that the stop exports what they hold and"
              + " removes them; or remove "
              + maps.getParent()
              + " (what they hold is lost). libbpf: "
              + detail.strip().lines().findFirst().orElse(""),
          e);
    }
  }

  /** The flows per interval the table was sized for (flows.max-flows, in total). */
  public int maxFlows() {
    return maxFlows;
  }

  /**
   * Flows one half of the table can hold: all CPUs' slices and the spill map, the most one
   * interval's drain returns.
   */
  public int flowCapacity() {
    return (int) Math.min(Integer.MAX_VALUE, table.capacity());
  }

  /** A program by name ({@link #PROG_XDP}, ...). */
  public BpfProgram program(String name) {
    return object.program(name);
  }

  /** The pin directory of links: {@code <pin-path>/<schema-version>/links}. */
  public Path linkPinDir() {
    return root.resolve("links");
  }

  /** The flow table. */
  public FlowTable flowTable() {
    return table;
  }

  /**
   * Points the programs at the other half of the flow table and returns the half they wrote until
   * now. When this returns, no program is still writing into the returned half.
   */
  public int swapFlowTable() {
    return table.swap();
  }

  /** The half the programs do not write now: what a previous run or a stop left undrained. */
  public int idleHalf() {
    return table.current() ^ 1;
  }

  /** Per-CPU totals per slot and direction (struct iface_totals). */
  public BpfMap totals() {
    return totals;
  }

  /** Per-CPU error counters (enum fg_error). */
  public BpfMap errors() {
    return errors;
  }

  /** Per-interface settings keyed by ifindex (struct iface_settings). */
  public BpfMap settings() {
    return settings;
  }

  /** The sample ring buffer. */
  public BpfMap samples() {
    return samples;
  }

  /** Per-host counters for the detectors (fg_hosts: struct host_key -> host_counters per CPU). */
  public BpfMap hosts() {
    return object.map("fg_hosts");
  }

  /** VLAN devices by parent ifindex and VID (fg_vlan_devs; kept by {@link VlanDevices}). */
  public BpfMap vlanDevices() {
    return object.map(Layout.VLAN_DEVS_MAP);
  }

  /** Per-CPU samples taken and dropped per slot and direction (struct sample_counts). */
  public BpfMap sampleCounts() {
    return sampleCounts;
  }

  /**
   * Sets the UDP source ports whose packets count as amplification (fg_amp_ports); takes effect on
   * the next packet.
   */
  public void putAmplificationPorts(java.util.BitSet ports) {
    ByteBuffer key = direct(4).putInt(0, 0);
    ByteBuffer value = direct(Layout.AMP_PORTS_SIZE);
    long[] words = ports.toLongArray();
    for (int i = 0; i < words.length && i < Layout.AMP_PORTS_SIZE / 8; i++) {
      value.putLong(i * 8, words[i]);
    }
    object.map("fg_amp_ports").update(key, value, 0);
  }

  /**
   * Writes the slot, sample rate and frame shape of an interface; takes effect on the next packet.
   * Into {@code fg_settings} at index ifindex (an ARRAY: the programs' lookup is inlined), or for
   * an ifindex of {@link Layout#SETTINGS_DIRECT} or more into the HASH {@code fg_settings_far}.
   *
   * @param rawIp the interface's frames start with the IP header (an L3 device: its link type says
   *     so), not an Ethernet header
   * @param recordMacs flows record their first packet's MAC addresses (needs an Ethernet header)
   */
  public void putSettings(
      int ifindex, int slot, int sampleRate, boolean rawIp, boolean recordMacs) {
    ByteBuffer key = direct(4).putInt(0, ifindex);
    ByteBuffer value = direct(Layout.IFACE_SETTINGS_SIZE);
    Layout.putIfaceSettings(value, 0, slot, sampleRate, rawIp, recordMacs);
    settingsOf(ifindex).update(key, value, 0);
  }

  /** Removes an interface's settings (its packets then count under the unknown slot). */
  public void removeSettings(int ifindex) {
    ByteBuffer key = direct(4).putInt(0, ifindex);
    if (Layout.settingsDirect(ifindex)) {
      settings.update(key, direct(Layout.IFACE_SETTINGS_SIZE), 0); // all zero: no settings
    } else {
      settingsFar.delete(key);
    }
  }

  private BpfMap settingsOf(int ifindex) {
    return Layout.settingsDirect(ifindex) ? settings : settingsFar;
  }

  /** Removes every pin of this schema version (keep-attached: false). */
  public void unpinAll() {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    table.close();
    object.close();
  }

  static ByteBuffer direct(int size) {
    return ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
