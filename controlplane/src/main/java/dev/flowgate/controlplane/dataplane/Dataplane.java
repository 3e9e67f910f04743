package dev.flowgate.controlplane.dataplane;

import dev.flowgate.bpf.BpfException;
import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.BpfObject;
import dev.flowgate.bpf.BpfProgram;
import dev.flowgate.bpf.Layout;
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
 * <p>The programs reach the flow map through the one-slot {@code fg_flow_slot} ARRAY_OF_MAPS.
 * {@link #swapFlowMaps()} points it at the other flow map; the update returns only after every
 * running program has finished, so the map it returns has no writer left and can be drained
 * completely without losing an increment.
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
  private final BpfMap flowsA;
  private final BpfMap flowsB;
  private final BpfMap flowSlot;
  private final BpfMap totals;
  private final BpfMap errors;
  private final BpfMap settings;
  private final BpfMap settingsFar;
  private final BpfMap samples;
  private final int maxFlows;
  private final ByteBuffer slotKey = direct(4);

  private Dataplane(BpfObject object, Path root, int maxFlows) {
    this.object = object;
    this.root = root;
    this.maxFlows = maxFlows;
    this.flowsA = object.map("fg_flows_a");
    this.flowsB = object.map("fg_flows_b");
    this.flowSlot = object.map("fg_flow_slot");
    this.totals = object.map("fg_totals");
    this.errors = object.map("fg_errors");
    this.settings = object.map("fg_settings");
    this.settingsFar = object.map("fg_settings_far");
    this.samples = object.map("fg_samples");
  }

  /**
   * Loads the object with flow maps of {@code maxFlows} entries, pinning (or reusing) its maps
   * under {@code pinPath/<schema-version>/maps}.
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
      object.setMaxEntries("fg_flows_a", maxFlows);
      object.setMaxEntries("fg_flows_b", maxFlows);
      object.setGlobal("fg_snap_len", snapLength);
      object.pinMapsUnder(maps);
      object.load();
      return new Dataplane(object, root, maxFlows);
    } catch (RuntimeException e) {
      object.close();
      throw e;
    }
  }

  /** The flow map capacity the object was loaded with. */
  public int maxFlows() {
    return maxFlows;
  }

  /** A program by name ({@link #PROG_XDP}, ...). */
  public BpfProgram program(String name) {
    return object.program(name);
  }

  /** The pin directory of links: {@code <pin-path>/<schema-version>/links}. */
  public Path linkPinDir() {
    return root.resolve("links");
  }

  /** The flow map the programs write into now. */
  public BpfMap currentFlowMap() {
    slotKey.putInt(0, 0);
    int id = flowSlot.innerMapId(0);
    return id == flowsB.id() ? flowsB : flowsA;
  }

  /**
   * Points the programs at the other flow map and returns the one they wrote until now. When this
   * returns, no program is still writing into the returned map.
   */
  public BpfMap swapFlowMaps() {
    BpfMap current = currentFlowMap();
    BpfMap next = current == flowsA ? flowsB : flowsA;
    flowSlot.setInnerMap(0, next);
    return current;
  }

  /** Both flow maps, for a drain of whatever a previous run left in either. */
  public BpfMap[] flowMaps() {
    return new BpfMap[] {flowsA, flowsB};
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

  /**
   * Writes the slot and sample rate of an interface; takes effect on the next packet. Into {@code
   * fg_settings} at index ifindex (an ARRAY: the programs' lookup is inlined), or for an ifindex of
   * {@link Layout#SETTINGS_DIRECT} or more into the HASH {@code fg_settings_far}.
   */
  public void putSettings(int ifindex, int slot, int sampleRate) {
    ByteBuffer key = direct(4).putInt(0, ifindex);
    ByteBuffer value = direct(Layout.IFACE_SETTINGS_SIZE);
    Layout.putIfaceSettings(value, 0, slot, sampleRate);
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
    object.close();
  }

  static ByteBuffer direct(int size) {
    return ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
