package dev.flowgate.controlplane.sweep;

import dev.flowgate.controlplane.cache.FlowCache;
import dev.flowgate.controlplane.dataplane.KernelReading;
import dev.flowgate.exporters.EndReason;
import java.util.Map;

/**
 * What one sweep did, published to every {@link SweepListener} when it ends.
 *
 * @param sweep the sweep's number: 1 for the first periodic sweep (the start's drain is not one)
 * @param nowMs the epoch ms the sweep expired flows at
 * @param drainedEntries flow table entries the sweep drained (a flow counted on several CPUs is
 *     several entries)
 * @param durationNanos swap, drain, Arrow batch, flow cache merge and expiry
 * @param kernel the kernel's totals and error counters, read right after the swap: what the drained
 *     entries' counts belong to
 * @param finishedFlows flows the cache finished since start, per reason (what it handed to the
 *     sinks, sweep after sweep)
 * @param cache the flow cache after the sweep: read it only on the sweeper thread, inside {@link
 *     SweepListener#swept}
 */
public record SweepResult(
    long sweep,
    long nowMs,
    int drainedEntries,
    long durationNanos,
    KernelReading kernel,
    Map<EndReason, Long> finishedFlows,
    FlowCache cache) {}
