package dev.flowgate.controlplane.detect;

import dev.flowgate.controlplane.config.AlertLevels;
import dev.flowgate.controlplane.config.AlertsConfig;
import dev.flowgate.controlplane.config.Cidr;
import dev.flowgate.controlplane.config.Detector;
import dev.flowgate.controlplane.config.HostgroupConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Which group a host belongs to and the thresholds that apply to it: the group whose network
 * holding the host is the most specific (longest prefix; the config refuses two equal networks),
 * else the default group. A group's thresholds are the default group's with its own on top.
 */
public final class Hostgroups {

  /** A resolved group: its name and every detector's levels. */
  public record Group(String name, Map<Detector, AlertLevels> levels) {}

  private record Entry(Cidr net, Group group) {}

  private final List<Entry> entries = new ArrayList<>();
  private final Group fallback;

  public Hostgroups(AlertsConfig config) {
    this.fallback = new Group(HostgroupConfig.DEFAULT_NAME, new EnumMap<>(config.thresholds()));
    for (HostgroupConfig g : config.hostgroups()) {
      Map<Detector, AlertLevels> levels = new EnumMap<>(config.thresholds());
      levels.putAll(g.thresholds());
      Group group = new Group(g.name(), levels);
      for (Cidr c : g.networks()) {
        entries.add(new Entry(c, group));
      }
    }
    entries.sort(Comparator.comparingInt((Entry e) -> e.net().mappedPrefix()).reversed());
  }

  /** The group of the host at (hi, lo). */
  public Group of(long hi, long lo) {
    for (Entry e : entries) {
      if (e.net().contains(hi, lo)) {
        return e.group();
      }
    }
    return fallback;
  }
}
