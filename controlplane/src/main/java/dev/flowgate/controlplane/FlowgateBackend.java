package dev.flowgate.controlplane;

import dev.flowgate.controlplane.accounting.Accounting;
import dev.flowgate.controlplane.api.AccountingTerms;
import dev.flowgate.controlplane.api.ApiBackend;
import dev.flowgate.controlplane.api.ApiException;
import dev.flowgate.controlplane.api.Attachment;
import dev.flowgate.controlplane.api.CollectorStatus;
import dev.flowgate.controlplane.api.Counts;
import dev.flowgate.controlplane.api.FlowOrder;
import dev.flowgate.controlplane.api.FlowPage;
import dev.flowgate.controlplane.api.FlowRow;
import dev.flowgate.controlplane.api.InterfaceEntry;
import dev.flowgate.controlplane.api.InterfacePatch;
import dev.flowgate.controlplane.api.MapFill;
import dev.flowgate.controlplane.api.SampleSinkStatus;
import dev.flowgate.controlplane.api.SinkStatus;
import dev.flowgate.controlplane.api.StatusReport;
import dev.flowgate.controlplane.cache.ActiveFlow;
import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.cache.FlowRanking;
import dev.flowgate.controlplane.config.Direction;
import dev.flowgate.controlplane.config.InterfaceConfig;
import dev.flowgate.controlplane.detect.Detection;
import dev.flowgate.controlplane.fanout.ExportFanout;
import dev.flowgate.controlplane.iface.AttachedInterface;
import dev.flowgate.controlplane.iface.InterfaceManager;
import dev.flowgate.controlplane.samples.Capture;
import dev.flowgate.controlplane.samples.CaptureRequest;
import dev.flowgate.controlplane.samples.PacketSamples;
import dev.flowgate.controlplane.sweep.SweepLoop;
import dev.flowgate.controlplane.sweep.SweepResult;
import dev.flowgate.exporters.SinkReport;
import dev.flowgate.exporters.Volume;
import dev.flowgate.exporters.collector.ExporterStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The HTTP API's view of the running daemon: maps the parts' state (the last {@link SweepResult},
 * the accounting rows, the interfaces, the sinks' counters) to the API's records.
 */
final class FlowgateBackend implements ApiBackend {
  private final FlowgateService service;
  private final SweepLoop loop;
  private final FlowCache cache;
  private final InterfaceManager interfaceManager;
  private final InterfaceEdits edits;
  private final Accounting accounting;
  private final ExportFanout fanout;
  private final JournalView journal;
  private final int flowCapacity;
  private final Detection detection;
  private final PacketSamples samples;
  private final Path arrowFiles;

  FlowgateBackend(
      FlowgateService service,
      SweepLoop loop,
      FlowCache cache,
      InterfaceManager interfaceManager,
      InterfaceEdits edits,
      Accounting accounting,
      ExportFanout fanout,
      JournalView journal,
      int flowCapacity,
      Detection detection,
      PacketSamples samples,
      Path arrowFiles) {
    this.service = service;
    this.arrowFiles = arrowFiles;
    this.samples = samples;
    this.loop = loop;
    this.cache = cache;
    this.interfaceManager = interfaceManager;
    this.edits = edits;
    this.accounting = accounting;
    this.fanout = fanout;
    this.journal = journal;
    this.flowCapacity = flowCapacity;
    this.detection = detection;
  }

  @Override
  public StatusReport status() {
    List<AccountingTerms> terms = new ArrayList<>();
    for (Accounting.Row r : accounting.snapshot()) {
      String name = interfaceManager.slots().nameOf(r.slot()).orElse("slot-" + r.slot());
      terms.add(
          new AccountingTerms(
              name,
              r.direction() == 0 ? Direction.INGRESS : Direction.EGRESS,
              new Counts(r.kernel().packets(), r.kernel().bytes()),
              new Counts(r.exportedPackets(), r.exportedBytes()),
              new Counts(r.cachedPackets(), r.cachedBytes()),
              new Counts(r.unaccountedPackets(), r.unaccountedBytes())));
    }
    SweepResult last = loop.last();
    return new StatusReport(
        FlowgateService.version(),
        FlowgateService.uptimeMillis(),
        last == null ? 0 : last.sweep(),
        new MapFill(last == null ? 0 : last.drainedEntries(), flowCapacity),
        terms,
        collectors(),
        journal.report(),
        sinks(),
        service.restartRequired(),
        last == null ? 0 : last.nowMs(),
        last == null ? 0 : last.durationNanos() / 1000,
        sampleSinks());
  }

  private List<SampleSinkStatus> sampleSinks() {
    List<SampleSinkStatus> out = new ArrayList<>();
    for (SinkReport r : samples.psampReports()) {
      out.add(
          new SampleSinkStatus(
              r.sink(),
              r.handed().packets(),
              r.delivered().packets(),
              r.dropped().packets(),
              r.failed().packets(),
              r.queued().packets(),
              r.losses(),
              r.lastError()));
    }
    return out;
  }

  private List<SinkStatus> sinks() {
    List<SinkStatus> out = new ArrayList<>();
    for (SinkReport r : fanout.sinkReports()) {
      out.add(
          new SinkStatus(
              r.sink(),
              counts(r.handed()),
              counts(r.delivered()),
              counts(r.dropped()),
              counts(r.failed()),
              counts(r.queued()),
              r.losses(),
              r.lastError(),
              r.sendErrors(),
              counts(r.inDoubt())));
    }
    return out;
  }

  private static Counts counts(Volume v) {
    return new Counts(v.packets(), v.bytes());
  }

  private List<CollectorStatus> collectors() {
    List<CollectorStatus> out = new ArrayList<>();
    List<ExporterStats> stats = new ArrayList<>(fanout.collectorStats());
    stats.addAll(samples.psampStats());
    for (ExporterStats s : stats) {
      out.add(
          new CollectorStatus(
              s.collector(),
              s.protocol(),
              s.messagesSent(),
              s.recordsSent(),
              s.templateMessagesSent(),
              s.sendErrors(),
              s.messagesDropped(),
              s.recordsDropped(),
              s.queueDepth(),
              s.queueCapacity(),
              s.ipv6FlowsNotExportable(),
              s.splitRecords(),
              s.lastError()));
    }
    return out;
  }

  @Override
  public Optional<String> notReadyReason() {
    List<String> missing = interfaceManager.missing();
    if (!missing.isEmpty()) {
      return Optional.of("not attached yet: " + String.join(", ", missing));
    }
    if (loop.last() == null) {
      return Optional.of("waiting for the first sweep");
    }
    return Optional.empty();
  }

  @Override
  public List<InterfaceEntry> interfaces() {
    List<AttachedInterface> attached = interfaceManager.attached();
    List<String> absent = interfaceManager.absent();
    List<InterfaceEntry> out = new ArrayList<>();
    for (InterfaceConfig c : interfaceManager.specs()) {
      List<Attachment> att = new ArrayList<>();
      for (AttachedInterface a : attached) {
        if (c.matches(a.name())) {
          List<String> hooks = a.hooks().stream().map(h -> h.hook().label()).toList();
          String note =
              a.hooks().stream()
                  .map(AttachedInterface.HookState::note)
                  .filter(n -> !n.isEmpty())
                  .findFirst()
                  .orElse(null);
          att.add(new Attachment(a.name(), a.ifindex(), hooks, note));
        }
      }
      out.add(InterfaceEntry.of(c, att, c.isPattern() || absent.contains(c.name())));
    }
    return out;
  }

  @Override
  public InterfaceEntry addInterface(InterfaceConfig c) {
    String id = c.id();
    if (find(id).isPresent()) {
      throw ApiException.conflict("an interface entry " + id + " exists already");
    }
    edits.put(c);
    return find(id).orElseThrow();
  }

  @Override
  public InterfaceEntry patchInterface(String id, InterfacePatch patch) {
    InterfaceEntry e =
        find(id).orElseThrow(() -> ApiException.notFound("no interface entry " + id));
    InterfaceConfig s = e.spec();
    InterfaceConfig changed =
        new InterfaceConfig(
            s.name(),
            patch.mode().orElse(s.mode()),
            patch.direction().orElse(s.direction()),
            patch.sampling().orElse(s.sampling()));
    edits.put(changed);
    return find(id).orElseThrow();
  }

  @Override
  public void deleteInterface(String id) {
    InterfaceEntry e =
        find(id).orElseThrow(() -> ApiException.notFound("no interface entry " + id));
    edits.remove(e.name());
  }

  @Override
  public List<FlowRow> topFlows(int n, FlowOrder by, String interfaceName) {
    FlowRanking ranking =
        switch (by) {
          case BYTES -> FlowRanking.BYTES;
          case PACKETS -> FlowRanking.PACKETS;
          case RATE -> FlowRanking.RATE;
        };
    List<ActiveFlow> top;
    if (interfaceName == null) {
      top = loop.call(() -> cache.top(n, ranking));
    } else {
      int ifindex =
          interfaceManager.attached().stream()
              .filter(a -> a.name().equals(interfaceName))
              .mapToInt(AttachedInterface::ifindex)
              .findFirst()
              .orElseThrow(
                  () -> ApiException.notFound("no attached interface is named " + interfaceName));
      top = loop.call(() -> cache.top(n, ranking, ifindex));
    }
    return rows(top);
  }

  @Override
  public FlowPage flowPage(int from, int limit) {
    List<ActiveFlow> page = loop.call(() -> cache.page(from, limit));
    return new FlowPage(rows(page), page.size() < limit ? -1 : from + page.size());
  }

  @Override
  public long flush() {
    return service.flush();
  }

  /** aa:bb:cc:dd:ee:ff, or null for 0 (not recorded). */
  static String macText(long mac) {
    if (mac == 0) {
      return null;
    }
    StringBuilder s = new StringBuilder(17);
    for (int i = 5; i >= 0; i--) {
      s.append(String.format("%02x", (mac >>> (8 * i)) & 0xFF));
      if (i > 0) {
        s.append(':');
      }
    }
    return s.toString();
  }

  private List<FlowRow> rows(List<ActiveFlow> flows) {
    List<FlowRow> rows = new ArrayList<>(flows.size());
    for (ActiveFlow f : flows) {
      String ifname =
          interfaceManager.byIfindex(f.ifindex()).map(AttachedInterface::name).orElse(null);
      rows.add(
          new FlowRow(
              AddressText.of(f.source()),
              AddressText.of(f.destination()),
              f.srcPort(),
              f.dstPort(),
              f.protocol(),
              f.ipVersion(),
              Integer.toUnsignedLong(f.ifindex()),
              ifname,
              f.direction() == 0 ? Direction.INGRESS : Direction.EGRESS,
              f.vlanId(),
              f.tos(),
              f.tcpFlags(),
              f.packets(),
              f.bytes(),
              f.startMs(),
              f.lastMs(),
              Integer.toUnsignedLong(f.ingressInterface()),
              Integer.toUnsignedLong(f.egressInterface()),
              f.nextHopAddress().map(AddressText::of).orElse(null),
              f.forwardingStatus(),
              macText(f.srcMac()),
              macText(f.dstMac())));
    }
    return rows;
  }

  @Override
  public Optional<Path> latestArrowIpcFile() {
    try {
      Files.createDirectories(arrowFiles);
      Path file = Files.createTempFile(arrowFiles, "interval-", ".arrows");
      boolean written = false;
      try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
        written = loop.writeLastInterval(out);
      } finally {
        if (!written) {
          Files.deleteIfExists(file);
        }
      }
      return written ? Optional.of(file) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Optional<InterfaceEntry> find(String id) {
    return interfaces().stream().filter(e -> e.id().equals(id)).findFirst();
  }

  @Override
  public List<java.util.Map<String, Object>> alerts() {
    return detection.alerts().stream()
        .map(dev.flowgate.controlplane.detect.AlertJson::object)
        .toList();
  }

  @Override
  public int snapLength() {
    return samples.snapLength();
  }

  @Override
  public Capture openCapture(CaptureRequest request) {
    return samples.openCapture(request);
  }
}
