package dev.flowgate.controlplane.config;

import java.time.Duration;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code alerts:} section: detectors, their thresholds per hostgroup, the allow list and the
 * alert sinks.
 *
 * @param holdDown an alert resolves once its rate stayed below its lowest threshold this long
 * @param extraAmplificationPorts UDP source ports counted as amplification besides {@link
 *     #AMPLIFICATION_PORTS}
 * @param allow remote networks whose traffic never raises an alert
 * @param thresholds every detector's levels for the default group
 * @param hostgroups named groups of networks with thresholds of their own
 * @param sinks where alerts go
 */
public record AlertsConfig(
    Duration holdDown,
    List<Integer> extraAmplificationPorts,
    List<Cidr> allow,
    Map<Detector, AlertLevels> thresholds,
    List<HostgroupConfig> hostgroups,
    AlertSinksConfig sinks) {

  /** Default hold-down: 30s below the threshold before an alert resolves. */
  public static final Duration DEFAULT_HOLD_DOWN = Duration.ofSeconds(30);

  /**
   * UDP source ports of the usual amplification vectors, always counted: DNS 53, NTP 123, chargen
   * 19, SNMP 161, CLDAP 389, SSDP 1900, memcached 11211.
   */
  public static final List<Integer> AMPLIFICATION_PORTS =
      List.of(53, 123, 19, 161, 389, 1900, 11211);

  /**
   * Checks ranges, that hostgroup names are unique, and that no network is listed twice at the same
   * prefix length (a host would belong to two groups at once).
   *
   * @throws InvalidSettingException naming the key
   */
  public AlertsConfig {
    Check.range("hold-down", holdDown, Duration.ZERO, Duration.ofHours(24));
    extraAmplificationPorts = List.copyOf(extraAmplificationPorts);
    for (int i = 0; i < extraAmplificationPorts.size(); i++) {
      Check.range("extra-amplification-ports[" + i + "]", extraAmplificationPorts.get(i), 1, 65535);
    }
    allow = List.copyOf(allow);
    EnumMap<Detector, AlertLevels> all = new EnumMap<>(Detector.class);
    for (Detector d : Detector.values()) {
      all.put(d, thresholds.getOrDefault(d, defaultLevels(d)));
    }
    thresholds = Map.copyOf(all);
    hostgroups = List.copyOf(hostgroups);
    Map<String, Integer> names = new HashMap<>();
    Map<String, String> networks = new HashMap<>();
    for (int g = 0; g < hostgroups.size(); g++) {
      HostgroupConfig hg = hostgroups.get(g);
      Integer before = names.putIfAbsent(hg.name(), g);
      if (before != null) {
        throw new InvalidSettingException(
            "hostgroups[" + g + "].name",
            "\"" + hg.name() + "\" is already a hostgroup (hostgroups[" + before + "])");
      }
      for (int n = 0; n < hg.networks().size(); n++) {
        Cidr c = hg.networks().get(n);
        String at = "hostgroups[" + g + "].networks[" + n + "]";
        String earlier = networks.putIfAbsent(c.text(), at);
        if (earlier != null) {
          throw new InvalidSettingException(
              at,
              c.text()
                  + " is already listed at the same prefix length ("
                  + earlier
                  + "): a host would belong to two groups");
        }
      }
    }
    java.util.Objects.requireNonNull(sinks, "sinks");
  }

  /** A detector's default levels: critical at its documented rate, no warning. */
  public static AlertLevels defaultLevels(Detector d) {
    return new AlertLevels(0, d.defaultCritical());
  }

  /** Every default: the flood detectors on, the log sink. */
  public static AlertsConfig defaults() {
    return new AlertsConfig(
        DEFAULT_HOLD_DOWN, List.of(), List.of(), Map.of(), List.of(), AlertSinksConfig.defaults());
  }

  /** The UDP source ports that count as amplification, listed and extra. */
  public BitSet amplificationPorts() {
    BitSet b = new BitSet(65536);
    AMPLIFICATION_PORTS.forEach(b::set);
    extraAmplificationPorts.forEach(b::set);
    return b;
  }
}
