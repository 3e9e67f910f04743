package dev.flowgate.controlplane.detect;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What each host got over the last {@code reads} reads of its counters: a sliding window. The
 * detectors' watch reads the counters {@code reads} times per sweep interval and rates each host
 * over the window's actual elapsed time, so a flood is seen whole one read (a quarter of an
 * interval) after it filled a window, wherever the sweeps cut it. A window is complete only once
 * it spans {@code reads} reads: a shorter one (at start) yields nothing, so no rate ever comes
 * from less than a whole window. Not thread-safe (the watch's thread).
 */
final class HostWindow {

  private record Slice(long ns, List<HostCounters.Delta> deltas) {}

  private final int reads;
  private final ArrayDeque<Slice> slices = new ArrayDeque<>();
  private final Map<HostKey, long[]> sum = new HashMap<>();
  private long elapsedNs;

  /**
   * @param reads reads per window (1 or more)
   */
  HostWindow(int reads) {
    if (reads < 1) {
      throw new IllegalArgumentException("a window spans 1 read or more");
    }
    this.reads = reads;
  }

  /**
   * Adds one read: what each host got in the {@code ns} since the read before; the oldest read
   * leaves the window once it spans more than {@code reads}.
   */
  void add(long ns, List<HostCounters.Delta> deltas) {
    slices.addLast(new Slice(ns, deltas));
    elapsedNs += ns;
    for (HostCounters.Delta d : deltas) {
      long[] s = sum.computeIfAbsent(d.key(), k -> new long[HostCounters.COUNTERS]);
      for (int f = 0; f < s.length; f++) {
        s[f] += d.counts()[f];
      }
    }
    while (slices.size() > reads) {
      Slice old = slices.removeFirst();
      elapsedNs -= old.ns();
      for (HostCounters.Delta d : old.deltas()) {
        long[] s = sum.get(d.key());
        boolean zero = true;
        for (int f = 0; f < s.length; f++) {
          s[f] -= d.counts()[f];
          zero &= s[f] == 0;
        }
        if (zero) {
          sum.remove(d.key());
        }
      }
    }
  }

  /** Whether the window spans {@code reads} reads. */
  boolean complete() {
    return slices.size() == reads;
  }

  /** ns the window spans (the sum of its reads' intervals). */
  long elapsedNs() {
    return elapsedNs;
  }

  /** Per host with packets in the window: its counts over it (live: do not keep or change). */
  Map<HostKey, long[]> counts() {
    return sum;
  }
}
