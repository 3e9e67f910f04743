package dev.flowgate.controlplane.api;

import dev.flowgate.controlplane.config.InterfaceConfig;
import dev.flowgate.controlplane.samples.Capture;
import dev.flowgate.controlplane.samples.CaptureRequest;
import java.util.List;
import java.util.Optional;

/**
 * What the HTTP API needs from the rest of flowgate. The API server calls every method on a Vert.x
 * worker thread, possibly several at once, so implementations may block (take locks, do file or
 * netlink I/O) but must be thread-safe.
 *
 * <p>To refuse a request, throw {@link ApiException} (e.g. {@link ApiException#conflict}) or {@link
 * IllegalArgumentException} (answered as 400 with its message); any other exception is answered as
 * 500.
 */
public interface ApiBackend {

  /** Version, uptime, sweeps, map fill and the accounting terms, as of the last sweep. */
  StatusReport status();

  /**
   * Empty once every configured interface is attached and one sweep has completed; else why not
   * (e.g. {@code "waiting for the first sweep"}).
   */
  Optional<String> notReadyReason();

  /** The configured interface entries, in configuration order. */
  List<InterfaceEntry> interfaces();

  /**
   * Adds an entry and attaches to what it names; the change survives a restart and a SIGHUP.
   *
   * @return the entry as added
   * @throws ApiException {@link ApiException#conflict} if an entry with the same id exists
   */
  InterfaceEntry addInterface(InterfaceConfig spec);

  /**
   * Changes the fields the patch sets on the entry with this id.
   *
   * @param id an {@link InterfaceEntry#id()}
   * @return the entry as it is now
   * @throws ApiException {@link ApiException#notFound} if no entry has this id
   */
  InterfaceEntry patchInterface(String id, InterfacePatch patch);

  /**
   * Removes the entry with this id and detaches from what it matched.
   *
   * @param id an {@link InterfaceEntry#id()}
   * @throws ApiException {@link ApiException#notFound} if no entry has this id
   */
  void deleteInterface(String id);

  /**
   * The {@code n} active flows with the most bytes, packets or bytes per second, largest first.
   *
   * @param n 1 to {@link ApiServerOptions#MAX_TOP_FLOWS}
   * @param interfaceName only flows on this interface (an attached device's name), or null for all
   * @throws ApiException {@link ApiException#notFound} if no attached interface has that name
   */
  List<FlowRow> topFlows(int n, FlowOrder by, String interfaceName);

  /**
   * One page of every active flow, in the cache's order: up to {@code limit} flows from position
   * {@code from}. Each page is read in one step between sweeps; flows that end or start between two
   * pages may be missed or seen twice (the cache compacts as flows end).
   *
   * @param from 0 for the first page, then the previous page's {@link FlowPage#next()}
   * @param limit 1 to {@link ApiServerOptions#MAX_TOP_FLOWS}
   */
  FlowPage flowPage(int from, int limit);

  /**
   * Ends every active flow now, as the stop does (flowEndReason forcedEnd), and hands them to the
   * sinks; journaled like the stop's finish-all.
   *
   * @return the flows ended
   */
  long flush();

  /**
   * The latest interval batch as one Arrow IPC stream ({@code FlowSchema}), serialized when asked
   * from what that sweep drained (no sweep serializes it otherwise) into a new file that belongs to
   * the caller, which sends it and deletes it; empty before the first sweep. The stream never sits
   * in memory whole (82 bytes a flow: a million flows would not fit flowgate's heap cap).
   */
  Optional<java.nio.file.Path> latestArrowIpcFile();

  /**
   * The active alerts and the last 1,000 resolved ones, newest first, each a JSON object (fields as
   * in openapi.yaml's Alert).
   */
  default List<java.util.Map<String, Object>> alerts() {
    return List.of();
  }

  /** Bytes of each packet the dataplane samples (its snap length, set at load). */
  default int snapLength() {
    return 128;
  }

  /**
   * Opens a live capture: it receives samples from now on; {@link Capture#run} streams it.
   *
   * @throws ApiException {@link ApiException#notFound} if the interface is not attached, 400 if the
   *     snap length is above the loaded one, 503 when the most captures at once are running
   */
  default Capture openCapture(CaptureRequest request) {
    throw new ApiException(503, "live capture is not available");
  }
}
