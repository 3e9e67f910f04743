package dev.flowgate.controlplane.api;

import dev.flowgate.controlplane.config.Direction;
import dev.flowgate.controlplane.config.InterfaceConfig;
import dev.flowgate.controlplane.config.InterfaceName;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of {@link ApiBackend}: interface entries in a map, fixed status and flows, and a
 * record of how it was called (how many calls, whether any ran on an event loop).
 */
final class InMemoryApiBackend implements ApiBackend {

  static final StatusReport STATUS =
      new StatusReport(
          "0.1.0-test",
          12_345,
          42,
          new MapFill(17, 262_144),
          List.of(
              new AccountingTerms(
                  "veth0",
                  Direction.INGRESS,
                  new Counts(100, 15_000),
                  new Counts(90, 13_500),
                  new Counts(7, 1_050),
                  new Counts(3, 450))),
          List.of(
              new CollectorStatus(
                  "127.0.0.1:4739", "ipfix", 12, 300, 2, 0, 0, 0, 0, 1024, 0, 0, null)));

  static final List<FlowRow> FLOWS =
      List.of(
          flow("10.0.0.1", 5000, 900, 90_000, "2001:db8::1"),
          flow("10.0.0.2", 5001, 50, 100_000, "2001:db8::2"),
          flow("10.0.0.3", 5002, 10, 1_000, "2001:db8::3"));

  private final Map<String, InterfaceEntry> entries = new LinkedHashMap<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger eventLoopCalls = new AtomicInteger();
  private volatile Optional<String> notReady = Optional.empty();
  private volatile Optional<byte[]> arrow = Optional.empty();
  private volatile RuntimeException failure;

  @Override
  public StatusReport status() {
    called();
    return STATUS;
  }

  @Override
  public Optional<String> notReadyReason() {
    called();
    return notReady;
  }

  @Override
  public synchronized List<InterfaceEntry> interfaces() {
    called();
    return new ArrayList<>(entries.values());
  }

  @Override
  public synchronized InterfaceEntry addInterface(InterfaceConfig spec) {
    called();
    if (entries.containsKey(spec.id())) {
      throw ApiException.conflict("an entry " + spec.id() + " exists already");
    }
    List<Attachment> attached =
        InterfaceName.isRegex(spec.name())
            ? List.of()
            : List.of(new Attachment(spec.name(), 7, List.of("tc-ingress"), "no native XDP"));
    InterfaceEntry entry = InterfaceEntry.of(spec, attached, false);
    entries.put(entry.id(), entry);
    return entry;
  }

  @Override
  public synchronized InterfaceEntry patchInterface(String id, InterfacePatch patch) {
    called();
    InterfaceEntry old = entries.get(id);
    if (old == null) {
      throw ApiException.notFound("no entry " + id);
    }
    InterfaceEntry entry =
        new InterfaceEntry(
            old.id(),
            old.name(),
            patch.mode().orElse(old.mode()),
            patch.direction().orElse(old.direction()),
            patch.sampling().orElse(old.sampling()),
            old.attached(),
            old.state());
    entries.put(id, entry);
    return entry;
  }

  @Override
  public synchronized void deleteInterface(String id) {
    called();
    if (entries.remove(id) == null) {
      throw ApiException.notFound("no entry " + id);
    }
  }

  @Override
  public List<FlowRow> topFlows(int n, FlowOrder by, String interfaceName) {
    called();
    return FLOWS.stream()
        .filter(f -> interfaceName == null || interfaceName.equals(f.interfaceName()))
        .sorted(
            (a, b) ->
                by == FlowOrder.BYTES
                    ? Long.compare(b.octetDeltaCount(), a.octetDeltaCount())
                    : Long.compare(b.packetDeltaCount(), a.packetDeltaCount()))
        .limit(n)
        .toList();
  }

  @Override
  public FlowPage flowPage(int from, int limit) {
    called();
    int end = Math.min(FLOWS.size(), from + limit);
    return new FlowPage(FLOWS.subList(Math.min(from, end), end), end < FLOWS.size() ? end : -1);
  }

  @Override
  public long flush() {
    called();
    return FLOWS.size();
  }

  @Override
  public Optional<java.nio.file.Path> latestArrowIpcFile() {
    called();
    if (arrow.isEmpty()) {
      return Optional.empty();
    }
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("fg-api-", ".arrows");
      java.nio.file.Files.write(file, arrow.get());
      arrowFiles.add(file);
      return Optional.of(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The files {@link #latestArrowIpcFile} handed out so far. */
  java.util.List<java.nio.file.Path> arrowFiles() {
    return arrowFiles;
  }

  private final java.util.List<java.nio.file.Path> arrowFiles =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  void notReady(String reason) {
    notReady = Optional.ofNullable(reason);
  }

  void arrow(byte[] stream) {
    arrow = Optional.ofNullable(stream);
  }

  /** Every later call throws {@code failure} (null: none). */
  void failWith(RuntimeException failure) {
    this.failure = failure;
  }

  /** Backend calls so far. */
  int calls() {
    return calls.get();
  }

  /** Backend calls that ran on an event loop thread (must stay 0). */
  int eventLoopCalls() {
    return eventLoopCalls.get();
  }

  private void called() {
    calls.incrementAndGet();
    if (Context.isOnEventLoopThread()) {
      eventLoopCalls.incrementAndGet();
    }
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
  }

  private static FlowRow flow(String src, int sport, long packets, long bytes, String dst) {
    return new FlowRow(
        src,
        dst,
        sport,
        443,
        6,
        4,
        7,
        "veth0",
        Direction.INGRESS,
        0,
        0,
        0x12,
        packets,
        bytes,
        1_700_000_000_000L,
        1_700_000_001_000L,
        7,
        9,
        "192.0.2.254",
        64,
        null,
        null);
  }
}
