package dev.flowgate.controlplane.dataplane;

import dev.flowgate.bpf.BpfLink;
import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.JiffiesClock;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.TcDirection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An upgrade that keeps counting: the pins an earlier flowgate of schema 4 left under {@code
 * <pin-path>/4/} (links still attached and counting, maps holding what they counted) are taken over
 * by this run's freshly loaded object (schema {@value Layout#SCHEMA_VERSION}).
 *
 * <ol>
 *   <li>the old interface settings are copied into the new {@code fg_settings} (same layout), so
 *       the new programs count each interface into its slot from their first packet;
 *   <li>each pinned XDP or TCX link gets the new program in place of the old one in one step
 *       ({@link BpfLink#update}: no packet goes uncounted) and is pinned under this schema's link
 *       directory, where the interface manager adopts it; a clsact filter (no link) is removed and
 *       attached anew;
 *   <li>once every old program run is over (an update of the old {@code fg_flow_barrier} returns
 *       after an RCU grace period), both halves of the old flow table and both old spill maps are
 *       read, converted to this schema's entries (the 40-byte stats, times from jiffies to
 *       CLOCK_MONOTONIC ns, zero gateway fields) and kept for the start's first merge ({@link
 *       #keys}): their counts go to the flow cache and the sinks like any drain's;
 *   <li>the start journals them ({@code CrashJournal.olderPins}) and then {@link #remove}s the old
 *       pin directory: a crash before the removal finds the old pins again, and the journal's
 *       replay says they are in the journal (they are removed unread); a crash after it replays
 *       them from the journal.
 * </ol>
 *
 * Only schema 4 (the layout before the gateway fields) is known; other older directories are left
 * alone and named in a warning.
 */
public final class OlderSchemaPins {
  private static final Logger LOG = LoggerFactory.getLogger(OlderSchemaPins.class);

  /** The schema this class reads. */
  public static final int OLD_VERSION = 4;

  // schema 4's flow_slot: key (44), state (4), flow_stats of 40 bytes
  private static final int OLD_SLOT_SIZE = 88;
  private static final int OLD_STATS_SIZE = 40;
  private static final int OLD_SLOT_STATE = 44;
  private static final int OLD_SLOT_STATS = 48;

  private final Path dir;
  private final ByteBuffer keys;
  private final ByteBuffer values;
  private final int count;
  private final int links;

  private OlderSchemaPins(Path dir, ByteBuffer keys, ByteBuffer values, int count, int links) {
    this.dir = dir;
    this.keys = keys;
    this.values = values;
    this.count = count;
    this.links = links;
  }

  /** Flow entries drained from the old maps, in this schema's layout. */
  public int count() {
    return count;
  }

  /** Packed flow_key entries ({@link #count()}: position 0, limit at the last), little-endian. */
  public ByteBuffer keys() {
    return keys.duplicate()
        .order(ByteOrder.LITTLE_ENDIAN)
        .position(0)
        .limit(count * Layout.FLOW_KEY_SIZE);
  }

  /** Packed flow_stats entries (this schema's 72 bytes, times in CLOCK_MONOTONIC ns). */
  public ByteBuffer values() {
    return values.duplicate()
        .order(ByteOrder.LITTLE_ENDIAN)
        .position(0)
        .limit(count * Layout.FLOW_STATS_SIZE);
  }

  /** The old pin directory ({@code <pin-path>/4}). */
  public Path directory() {
    return dir;
  }

  /**
   * Removes the old pin directory: its maps and programs go once nothing else holds them. Call once
   * the entries are journaled (or known to be).
   */
  public void remove() {
    removeTree(dir);
  }

  /** Links moved over to this run's programs. */
  public int links() {
    return links;
  }

  /**
   * Takes over the schema-4 pins under {@code pinPath}, if any; see the class comment. Call after
   * {@link Dataplane#load} and before the interfaces are attached.
   */
  public static Optional<OlderSchemaPins> takeOver(Path pinPath, Dataplane dataplane) {
    for (Path other : olderDirectories(pinPath)) {
      if (!other.getFileName().toString().equals(String.valueOf(OLD_VERSION))) {
        LOG.warn(
            "pins of flowgate schema "
                + other.getFileName()
                + " under "
                + other
                + " are left alone: this build takes over schema "
                + OLD_VERSION
                + " only (remove them once nothing uses them)");
      }
    }
    Path old = pinPath.resolve(String.valueOf(OLD_VERSION));
    if (!Files.isDirectory(old.resolve("maps")) || OLD_VERSION == Layout.SCHEMA_VERSION) {
      return Optional.empty();
    }
    Path maps = old.resolve("maps");
    copySettings(maps, dataplane);
    int moved = moveLinks(old.resolve("links"), dataplane);
    waitForOldPrograms(maps);
    JiffiesClock clock = dataplane.flowTable().clock();
    List<byte[][]> entries = new ArrayList<>();
    readTable(maps.resolve("fg_flows"), clock, entries);
    for (String spill : List.of("fg_spill_0", "fg_spill_1")) {
      readSpill(maps.resolve(spill), clock, entries);
    }
    ByteBuffer k =
        ByteBuffer.allocateDirect(Math.max(1, entries.size()) * Layout.FLOW_KEY_SIZE)
            .order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer v =
        ByteBuffer.allocateDirect(Math.max(1, entries.size()) * Layout.FLOW_STATS_SIZE)
            .order(ByteOrder.LITTLE_ENDIAN);
    long packets = 0;
    for (int i = 0; i < entries.size(); i++) {
      k.put(i * Layout.FLOW_KEY_SIZE, entries.get(i)[0]);
      v.put(i * Layout.FLOW_STATS_SIZE, entries.get(i)[1]);
      packets += v.getLong(i * Layout.FLOW_STATS_SIZE + Layout.FLOW_STATS_PACKETS);
    }
    LOG.info(
        "upgrade: took over the pins of flowgate schema "
            + OLD_VERSION
            + " under "
            + old
            + ": "
            + moved
            + " links now run this build's programs (schema "
            + Layout.SCHEMA_VERSION
            + "), "
            + entries.size()
            + " flow entries ("
            + packets
            + " packets) read from the old maps");
    return Optional.of(new OlderSchemaPins(old, k, v, entries.size(), moved));
  }

  private static List<Path> olderDirectories(Path pinPath) {
    if (!Files.isDirectory(pinPath)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(pinPath)) {
      return dirs.filter(p -> p.getFileName().toString().matches("\\d{1,4}"))
          .filter(p -> Integer.parseInt(p.getFileName().toString()) < Layout.SCHEMA_VERSION)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copySettings(Path maps, Dataplane dataplane) {
    Path p = maps.resolve("fg_settings");
    if (!Files.exists(p)) {
      return;
    }
    try (BpfMap old = BpfMap.openPinned(p)) {
      ByteBuffer key = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer value =
          ByteBuffer.allocateDirect(Layout.IFACE_SETTINGS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      for (int ifindex = 1; ifindex < old.maxEntries(); ifindex++) {
        key.putInt(0, ifindex);
        if (old.lookup(key, value)
            && (value.getInt(Layout.IFACE_SETTINGS_FLAGS) & Layout.SETTINGS_VALID) != 0) {
          dataplane.settings().update(key, value, BpfMap.BPF_ANY);
        }
      }
    }
  }

  private static int moveLinks(Path links, Dataplane dataplane) {
    if (!Files.isDirectory(links)) {
      return 0;
    }
    int moved = 0;
    List<Path> pins;
    try (Stream<Path> s = Files.list(links)) {
      pins = s.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path pin : pins) {
      try (BpfLink link = BpfLink.openPinned(pin)) {
        if (link.kind() == BpfLink.Kind.CLSACT) {
          link.unpin(); // not a BPF link: the interface manager attaches anew
          continue;
        }
        String program =
            link.kind() == BpfLink.Kind.XDP
                ? Dataplane.PROG_XDP
                : link.direction() == TcDirection.INGRESS
                    ? Dataplane.PROG_TC_INGRESS
                    : Dataplane.PROG_TC_EGRESS;
        link.update(dataplane.program(program));
        link.pin(dataplane.linkPinDir().resolve(pin.getFileName()));
        Files.deleteIfExists(pin);
        moved++;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return moved;
  }

  /** Updating the old barrier returns after an RCU grace period: no old program still runs. */
  private static void waitForOldPrograms(Path maps) {
    Path barrier = maps.resolve("fg_flow_barrier");
    Path inner = maps.resolve("fg_flow_barrier_inner");
    if (!Files.exists(barrier) || !Files.exists(inner)) {
      return;
    }
    try (BpfMap b = BpfMap.openPinned(barrier);
        BpfMap i = BpfMap.openPinned(inner)) {
      b.setInnerMap(0, i);
    }
  }

  private static void readTable(Path p, JiffiesClock clock, List<byte[][]> out) {
    if (!Files.exists(p)) {
      return;
    }
    try (BpfMap table = BpfMap.openPinned(p)) {
      if (table.valueSize() != OLD_SLOT_SIZE) {
        throw new IllegalStateException(
            p + " holds " + table.valueSize() + "-byte slots, not schema 4's " + OLD_SLOT_SIZE);
      }
      int n = table.maxEntries();
      ByteBuffer keys = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer slots =
          ByteBuffer.allocateDirect(n * OLD_SLOT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      int got = table.lookupBatch(keys, slots);
      for (int i = 0; i < got; i++) {
        int at = i * OLD_SLOT_SIZE;
        if (slots.getInt(at + OLD_SLOT_STATE) != Layout.SLOT_USED) {
          continue;
        }
        out.add(entry(slots, at, at + OLD_SLOT_STATS, clock));
      }
    }
  }

  private static void readSpill(Path p, JiffiesClock clock, List<byte[][]> out) {
    if (!Files.exists(p)) {
      return;
    }
    try (BpfMap spill = BpfMap.openPinned(p)) {
      int n = spill.maxEntries();
      ByteBuffer keys =
          ByteBuffer.allocateDirect(n * Layout.FLOW_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer values =
          ByteBuffer.allocateDirect(n * OLD_STATS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
      int got = spill.lookupBatch(keys, values);
      for (int i = 0; i < got; i++) {
        byte[][] e = entry(values, -1, i * OLD_STATS_SIZE, clock);
        keys.get(i * Layout.FLOW_KEY_SIZE, e[0]);
        out.add(e);
      }
    }
  }

  /** {key, stats in this schema} from an old key at {@code keyAt} (-1: none) and old stats. */
  private static byte[][] entry(ByteBuffer b, int keyAt, int statsAt, JiffiesClock clock) {
    byte[] key = new byte[Layout.FLOW_KEY_SIZE];
    if (keyAt >= 0) {
      b.get(keyAt, key);
    }
    byte[] stats = new byte[Layout.FLOW_STATS_SIZE];
    b.get(statsAt, stats, 0, OLD_STATS_SIZE); // the first 40 bytes kept their layout
    ByteBuffer s = ByteBuffer.wrap(stats).order(ByteOrder.LITTLE_ENDIAN);
    s.putLong(
        Layout.FLOW_STATS_FIRST_SEEN_NS,
        clock.toMonoNs(s.getLong(Layout.FLOW_STATS_FIRST_SEEN_NS)));
    s.putLong(
        Layout.FLOW_STATS_LAST_SEEN_NS, clock.toMonoNs(s.getLong(Layout.FLOW_STATS_LAST_SEEN_NS)));
    s.put(Layout.FLOW_STATS_FWD_STATUS, (byte) 0); // old pad
    s.put(Layout.FLOW_STATS_FLAGS, (byte) 0);
    return new byte[][] {key, stats};
  }

  private static void removeTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
