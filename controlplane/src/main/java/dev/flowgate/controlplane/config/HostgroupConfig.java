package dev.flowgate.controlplane.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of {@code alerts.hostgroups}: hosts named by networks, with thresholds of their own. A
 * host belongs to the group with the most specific network that holds it; hosts of no group belong
 * to the default group ({@code alerts.thresholds}).
 *
 * @param name the group's name (in alerts and the API), not {@code default}
 * @param networks its IPv4 and IPv6 networks
 * @param thresholds detectors whose levels differ from the default group's; the others inherit
 */
public record HostgroupConfig(
    String name, List<Cidr> networks, Map<Detector, AlertLevels> thresholds) {

  /** The name of the group that holds every host no other group holds. */
  public static final String DEFAULT_NAME = "default";

  /**
   * Checks the name and that there is at least one network.
   *
   * @throws InvalidSettingException naming name or networks
   */
  public HostgroupConfig {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw new InvalidSettingException(
          "name", ConfigNode.quote(name) + " is not a group name (letters, digits, . _ -)");
    }
    if (name.equals(DEFAULT_NAME)) {
      throw new InvalidSettingException(
          "name", "\"default\" is the group of every other host (set alerts.thresholds instead)");
    }
    networks = List.copyOf(networks);
    if (networks.isEmpty()) {
      throw new InvalidSettingException("networks", "is required (at least one network)");
    }
    thresholds = Map.copyOf(thresholds);
  }
}
