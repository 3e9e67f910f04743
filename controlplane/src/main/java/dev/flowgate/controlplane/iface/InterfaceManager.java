package dev.flowgate.controlplane.iface;

import dev.flowgate.bpf.BpfException;
import dev.flowgate.bpf.BpfLink;
import dev.flowgate.bpf.TcDirection;
import dev.flowgate.bpf.XdpMode;
import dev.flowgate.controlplane.config.Direction;
import dev.flowgate.controlplane.config.InterfaceConfig;
import dev.flowgate.controlplane.dataplane.Dataplane;
import dev.flowgate.controlplane.dataplane.Hook;
import dev.flowgate.controlplane.iface.AttachedInterface.HookState;
import dev.flowgate.exporters.log.RateLimitedLog;
import dev.flowgate.netlink.Link;
import dev.flowgate.netlink.LinkTable;
import dev.flowgate.netlink.LinkType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Attaches the programs to the interfaces the wanted entries select, and keeps that true as entries
 * change (config reload, API) and interfaces come and go ({@link #reconcile()}, called when the
 * rtnetlink {@link LinkTable} of this network namespace reports a change: hot-plug, removal,
 * rename).
 *
 * <p>A plain-name entry whose interface does not exist is <em>absent</em>: logged once (WARN,
 * naming the entry), shown as such by the API, and attached (and logged) when it appears.
 *
 * <p>Links are pinned under {@code <pin-path>/<version>/links/<ifname>_<ifindex>_<hook>}, so with
 * keep-attached the programs go on counting while flowgate is stopped, and the next start adopts
 * them instead of attaching again. Native XDP is never forced over another tool's program: when it
 * is refused (a foreign XDP program, or no driver support) the interface is counted at TC ingress,
 * and the reason is reported.
 */
public final class InterfaceManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InterfaceManager.class);

  private final Dataplane dataplane;
  private final SlotTable slots;
  private final LinkTable links;
  private final Map<String, Attachment> attached = new TreeMap<>();
  private final Set<String> reportedAbsent = new TreeSet<>();

  /** Attach failures and XDP fallbacks, per interface: the first, then one line a minute. */
  private final RateLimitedLog problems = new RateLimitedLog(LOG, Level.WARN);

  private List<InterfaceConfig> specs = List.of();
  private AttachListener listener = (ifindex, slot) -> {};

  /** Told of each interface just before its programs are attached. */
  @FunctionalInterface
  public interface AttachListener {
    void beforeAttach(int ifindex, int slot);
  }

  private static final class Attachment {
    final String name;
    final int ifindex;
    final int slot;
    final boolean rawIp;
    String specId;
    int sampling;
    boolean recordMacs;
    final Map<Hook, BpfLink> links = new LinkedHashMap<>();
    final Map<Hook, String> notes = new LinkedHashMap<>();

    Attachment(String name, int ifindex, int slot, boolean rawIp) {
      this.name = name;
      this.ifindex = ifindex;
      this.slot = slot;
      this.rawIp = rawIp;
    }
  }

  /**
   * @param links the interfaces of this network namespace; the caller calls {@link #reconcile()}
   *     when it reports a change
   */
  public InterfaceManager(Dataplane dataplane, SlotTable slots, LinkTable links) {
    this.dataplane = dataplane;
    this.slots = slots;
    this.links = links;
  }

  /** Sets who is told of attaches (the accounting, to take the slot's baseline). */
  public synchronized void setListener(AttachListener listener) {
    this.listener = listener;
  }

  /** Replaces the wanted entries and reconciles at once. */
  public synchronized void setSpecs(List<InterfaceConfig> newSpecs) {
    this.specs = List.copyOf(newSpecs);
    reconcile();
  }

  /** The wanted entries in force. */
  public synchronized List<InterfaceConfig> specs() {
    return specs;
  }

  /**
   * Attaches to every present interface an entry selects, detaches from the ones no entry selects
   * any more, forgets the ones that disappeared, and applies changed sampling rates.
   */
  public synchronized void reconcile() {
    Map<String, Link> present = links.byName();
    Map<String, InterfaceConfig> wanted = new TreeMap<>();
    for (String ifname : present.keySet()) {
      for (InterfaceConfig spec : specs) {
        if (spec.matches(ifname)) {
          wanted.putIfAbsent(ifname, spec);
        }
      }
    }
    for (String name : List.copyOf(attached.keySet())) {
      Attachment a = attached.get(name);
      Link link = present.get(name);
      InterfaceConfig spec = wanted.get(name);
      if (link == null || link.ifindex() != a.ifindex) {
        Link now = links.byIndex().get(a.ifindex);
        if (now != null) {
          LOG.info("interface " + name + " was renamed " + now.name() + "; detaching");
        } else {
          LOG.info("interface " + name + " disappeared; forgetting it");
        }
        forget(a);
      } else if (spec == null) {
        LOG.info("interface " + name + " no longer configured; detaching");
        detach(a);
      } else if (needsReattach(a, spec)) {
        detach(a);
      }
    }
    wanted.forEach(
        (name, spec) -> {
          Attachment a = attached.get(name);
          if (a == null) {
            try {
              attach(name, present.get(name), spec, reportedAbsent.remove(name));
            } catch (RuntimeException e) {
              problems.report("attach " + name, "cannot attach to " + name + ": " + e.getMessage());
            }
          } else if (a.sampling != spec.sampling() || a.recordMacs != spec.recordMacs()) {
            boolean macs = spec.recordMacs();
            try {
              checkRecordMacs(name, present.get(name), spec);
            } catch (IllegalArgumentException e) {
              problems.report("attach " + name, e.getMessage());
              macs = false;
            }
            dataplane.putSettings(a.ifindex, a.slot, spec.sampling(), a.rawIp, macs);
            a.sampling = spec.sampling();
            a.recordMacs = spec.recordMacs();
            a.specId = spec.id();
          }
        });
    reportAbsent(present);
  }

  private void reportAbsent(Map<String, Link> present) {
    reportedAbsent.retainAll(specs.stream().map(InterfaceConfig::name).toList());
    for (InterfaceConfig spec : specs) {
      if (!spec.isPattern()
          && !present.containsKey(spec.name())
          && reportedAbsent.add(spec.name())) {
        LOG.warn(
            "interface entry "
                + spec.name()
                + ": no interface "
                + spec.name()
                + " in this network namespace; it is attached when it appears");
      }
    }
  }

  /** Names of plain-name entries whose interface does not exist now. */
  public synchronized List<String> absent() {
    Map<String, Link> present = links.byName();
    return specs.stream()
        .filter(s -> !s.isPattern() && !present.containsKey(s.name()))
        .map(InterfaceConfig::name)
        .toList();
  }

  /** True when every configured plain-name entry is attached. */
  public synchronized boolean allNamedAttached() {
    return specs.stream().filter(s -> !s.isPattern()).allMatch(s -> attached.containsKey(s.name()));
  }

  /** Names of plain-name entries that are not attached (for /readyz). */
  public synchronized List<String> missing() {
    return specs.stream()
        .filter(s -> !s.isPattern() && !attached.containsKey(s.name()))
        .map(InterfaceConfig::name)
        .toList();
  }

  /** The interfaces counted now. */
  public synchronized List<AttachedInterface> attached() {
    List<AttachedInterface> out = new ArrayList<>();
    for (Attachment a : attached.values()) {
      List<HookState> hooks = new ArrayList<>();
      a.links.keySet().forEach(h -> hooks.add(new HookState(h, a.notes.getOrDefault(h, ""))));
      out.add(new AttachedInterface(a.name, a.ifindex, a.slot, a.specId, a.sampling, hooks));
    }
    return out;
  }

  /** The attached interface with this ifindex, if any. */
  public synchronized Optional<AttachedInterface> byIfindex(int ifindex) {
    return attached().stream().filter(a -> a.ifindex() == ifindex).findFirst();
  }

  /** The slot table (slot per interface name). */
  public SlotTable slots() {
    return slots;
  }

  /** Detaches everything and removes the link pins (keep-attached: false). */
  public synchronized void detachAll() {
    for (Attachment a : List.copyOf(attached.values())) {
      detach(a);
    }
  }

  /** Closes our link handles; pinned links stay attached (keep-attached: true). */
  @Override
  public synchronized void close() {
    for (Attachment a : attached.values()) {
      a.links.values().forEach(BpfLink::close);
    }
    attached.clear();
  }

  private boolean needsReattach(Attachment a, InterfaceConfig spec) {
    return !hooksFor(spec).equals(List.copyOf(wantedHooks(a)));
  }

  private List<Hook> wantedHooks(Attachment a) {
    List<Hook> hooks = new ArrayList<>();
    for (Hook h : a.links.keySet()) {
      // a TC-ingress fallback stands for the XDP hook that was asked for
      hooks.add(h == Hook.TC_INGRESS && a.notes.containsKey(h) ? Hook.XDP_NATIVE : h);
    }
    return hooks;
  }

  private static List<Hook> hooksFor(InterfaceConfig spec) {
    List<Hook> hooks = new ArrayList<>();
    if (spec.direction() != Direction.EGRESS) {
      hooks.add(
          switch (spec.mode()) {
            case XDP -> Hook.XDP_NATIVE;
            case XDP_GENERIC -> Hook.XDP_GENERIC;
            case TC -> Hook.TC_INGRESS;
          });
    }
    if (spec.direction() != Direction.INGRESS) {
      hooks.add(Hook.TC_EGRESS);
    }
    return hooks;
  }

  private void attach(String name, Link link, InterfaceConfig spec, boolean wasAbsent) {
    checkRecordMacs(name, link, spec);
    int ifindex = link.ifindex();
    int slot = slots.slotOf(name);
    Attachment a = new Attachment(name, ifindex, slot, link.carriesRawIp());
    // the link type says how the programs parse: Ethernet, or IP from the first byte
    dataplane.putSettings(ifindex, slot, spec.sampling(), a.rawIp, spec.recordMacs());
    listener.beforeAttach(ifindex, slot);
    a.specId = spec.id();
    a.sampling = spec.sampling();
    a.recordMacs = spec.recordMacs();
    try {
      for (Hook hook : hooksFor(spec)) {
        attachHook(a, hook);
      }
    } catch (RuntimeException e) {
      detach(a);
      throw e;
    }
    attached.put(name, a);
    LOG.info(
        (wasAbsent
                ? "interface " + name + " appeared; attached (ifindex "
                : "attached to " + name + " (ifindex ")
            + ifindex
            + ", link "
            + LinkType.label(link.type())
            + ", slot "
            + slot
            + "): "
            + a.links.keySet()
            + (a.notes.isEmpty() ? "" : " " + a.notes));
  }

  /** record-macs needs Ethernet headers: refused on an L3 device (tun, WireGuard, PPP, GRE...). */
  private static void checkRecordMacs(String name, Link link, InterfaceConfig spec) {
    if (spec.recordMacs() && link != null && link.carriesRawIp()) {
      throw new IllegalArgumentException(
          "record-macs: true on "
              + name
              + ": its link type ("
              + LinkType.label(link.type())
              + ") has no Ethernet header, so there are no MAC addresses to record"
              + " (remove record-macs from this entry)");
    }
  }

  private void attachHook(Attachment a, Hook hook) {
    Optional<BpfLink> adopted = adoptPinned(a, hook);
    if (adopted.isPresent()) {
      a.links.put(hook, adopted.get());
      return;
    }
    if (hook == Hook.XDP_NATIVE) {
      Optional<BpfLink> fallback = adoptPinned(a, Hook.TC_INGRESS);
      if (fallback.isPresent()) {
        a.links.put(Hook.TC_INGRESS, fallback.get());
        a.notes.put(Hook.TC_INGRESS, "native XDP was refused at an earlier start");
        return;
      }
      BpfLink xdp = null;
      try {
        xdp = BpfLink.attachXdp(dataplane.program(Dataplane.PROG_XDP), a.ifindex, XdpMode.NATIVE);
      } catch (BpfException e) {
        // the reason is the verifier's or the driver's, e.g. EOPNOTSUPP on tun or wireguard
        problems.report(
            "fallback " + a.name,
            a.name
                + ": native XDP refused ("
                + e.getMessage()
                + "); counting at TC ingress instead");
        a.links.put(
            Hook.TC_INGRESS,
            pin(
                a,
                Hook.TC_INGRESS,
                BpfLink.attachTc(
                    dataplane.program(Dataplane.PROG_TC_INGRESS), a.ifindex, TcDirection.INGRESS)));
        a.notes.put(Hook.TC_INGRESS, "native XDP refused: " + e.getMessage());
        return;
      }
      a.links.put(hook, pin(a, hook, xdp));
      return;
    }
    BpfLink link =
        switch (hook) {
          case XDP_GENERIC ->
              BpfLink.attachXdp(dataplane.program(Dataplane.PROG_XDP), a.ifindex, XdpMode.GENERIC);
          case TC_INGRESS ->
              BpfLink.attachTc(
                  dataplane.program(Dataplane.PROG_TC_INGRESS), a.ifindex, TcDirection.INGRESS);
          case TC_EGRESS ->
              BpfLink.attachTc(
                  dataplane.program(Dataplane.PROG_TC_EGRESS), a.ifindex, TcDirection.EGRESS);
          default -> throw new IllegalStateException(hook.toString());
        };
    a.links.put(hook, pin(a, hook, link));
  }

  private BpfLink pin(Attachment a, Hook hook, BpfLink link) {
    try {
      link.pin(pinPath(a, hook));
    } catch (RuntimeException e) {
      link.close();
      throw new IllegalStateException(
          "cannot pin the " + hook.label() + " link of " + a.name + ": " + e.getMessage(), e);
    }
    return link;
  }

  private Optional<BpfLink> adoptPinned(Attachment a, Hook hook) {
    Path p = pinPath(a, hook);
    if (!Files.exists(p)) {
      return Optional.empty();
    }
    try {
      return Optional.of(BpfLink.openPinned(p));
    } catch (BpfException e) {
      LOG.warn("stale link pin " + p + " removed: " + e.getMessage());
      p.toFile().delete();
      return Optional.empty();
    }
  }

  private Path pinPath(Attachment a, Hook hook) {
    // bpffs refuses '.' in names (and interface names may hold one, e.g. eth0.100)
    return dataplane
        .linkPinDir()
        .resolve(a.name.replace('.', '_') + "_" + a.ifindex + "_" + hook.label());
  }

  private void detach(Attachment a) {
    for (Map.Entry<Hook, BpfLink> e : a.links.entrySet()) {
      try {
        e.getValue().unpin();
      } catch (RuntimeException ex) {
        LOG.warn("unpin " + a.name + " " + e.getKey() + ": " + ex.getMessage());
      }
      e.getValue().close();
    }
    a.links.clear();
    dataplane.removeSettings(a.ifindex);
    attached.remove(a.name);
  }

  private void forget(Attachment a) {
    // the device is gone: the kernel already detached its links; drop our handles and pins
    for (Map.Entry<Hook, BpfLink> e : a.links.entrySet()) {
      pinPath(a, e.getKey()).toFile().delete();
      e.getValue().close();
    }
    try {
      dataplane.removeSettings(a.ifindex);
    } catch (RuntimeException ignored) {
      // already gone
    }
    attached.remove(a.name);
  }
}
