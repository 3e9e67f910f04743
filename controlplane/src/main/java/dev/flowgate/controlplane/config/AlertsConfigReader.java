package dev.flowgate.controlplane.config;

import com.fasterxml.jackson.core.JsonToken;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the {@code alerts:} section (ConfigReader's part for it). */
final class AlertsConfigReader {

  private AlertsConfigReader() {}

  static AlertsConfig read(Section s) throws ConfigException {
    s.allowOnly(
        "hold-down", "extra-amplification-ports", "allow", "thresholds", "hostgroups", "sinks");
    Duration holdDown = s.duration("hold-down", AlertsConfig.DEFAULT_HOLD_DOWN);
    List<Integer> ports = new ArrayList<>();
    List<ConfigNode> items = s.list("extra-amplification-ports");
    for (int i = 0; i < items.size(); i++) {
      ConfigNode n = items.get(i);
      String key = "extra-amplification-ports[" + i + "]";
      if (!(n instanceof ConfigNode.Scalar sc)
          || sc.token() != JsonToken.VALUE_NUMBER_INT
          || !sc.text().matches("[0-9]{1,5}")
          || Integer.parseInt(sc.text()) < 1
          || Integer.parseInt(sc.text()) > 65535) {
        throw s.error(n, key, "expected a UDP port (1..65535), got " + n.describe());
      }
      ports.add(Integer.parseInt(sc.text()));
    }
    List<Cidr> allow = networks(s, "allow");
    Map<Detector, AlertLevels> thresholds = thresholds(s.section("thresholds"));
    List<HostgroupConfig> groups = new ArrayList<>();
    List<ConfigNode> g = s.list("hostgroups");
    for (int i = 0; i < g.size(); i++) {
      Section h = Section.of(s.file(), s.path() + ".hostgroups[" + i + "]", g.get(i), "a mapping");
      h.allowOnly("name", "networks", "thresholds");
      String name = h.requiredString("name", "is required (the group's name)");
      h.require("networks", "is required (the group's IPv4 and IPv6 networks)");
      List<Cidr> nets = networks(h, "networks");
      Map<Detector, AlertLevels> own = thresholds(h.section("thresholds"));
      groups.add(h.build(() -> new HostgroupConfig(name, nets, own)));
    }
    AlertSinksConfig sinks = sinks(s.section("sinks"));
    return s.build(() -> new AlertsConfig(holdDown, ports, allow, thresholds, groups, sinks));
  }

  private static List<Cidr> networks(Section s, String key) throws ConfigException {
    List<Cidr> out = new ArrayList<>();
    List<ConfigNode> items = s.list(key);
    for (int i = 0; i < items.size(); i++) {
      ConfigNode n = items.get(i);
      String at = key + "[" + i + "]";
      if (!(n instanceof ConfigNode.Scalar sc) || sc.token() != JsonToken.VALUE_STRING) {
        throw s.error(n, at, "expected a network such as 192.0.2.0/24, got " + n.describe());
      }
      try {
        out.add(Cidr.parse(sc.text()));
      } catch (IllegalArgumentException e) {
        throw s.error(n, at, e.getMessage());
      }
    }
    return out;
  }

  /** The detectors present in a thresholds mapping, each {@code {warning: R, critical: R}}. */
  private static Map<Detector, AlertLevels> thresholds(Section s) throws ConfigException {
    s.allowOnly(Detector.labels().toArray(new String[0]));
    Map<Detector, AlertLevels> out = new EnumMap<>(Detector.class);
    for (String key : s.keys()) {
      Detector d = Detector.ofLabel(key);
      Section l = s.section(key);
      l.allowOnly("warning", "critical");
      long warning = rate(l, "warning", d.unit());
      long critical = rate(l, "critical", d.unit());
      out.put(d, l.build(() -> new AlertLevels(warning, critical)));
    }
    return out;
  }

  private static long rate(Section s, String key, RateUnit unit) throws ConfigException {
    Optional<ConfigNode> n = s.node(key);
    if (n.isEmpty()) {
      return 0;
    }
    if (!(n.get() instanceof ConfigNode.Scalar sc)
        || (sc.token() != JsonToken.VALUE_STRING && sc.token() != JsonToken.VALUE_NUMBER_INT)) {
      throw s.error(
          n.get(),
          key,
          "expected a rate such as " + unit.format(1000) + ", got " + n.get().describe());
    }
    try {
      return unit.parse(sc.text());
    } catch (IllegalArgumentException e) {
      throw s.error(sc, key, e.getMessage());
    }
  }

  private static AlertSinksConfig sinks(Section s) throws ConfigException {
    s.allowOnly("log", "alertmanager", "webhook");
    boolean log = s.bool("log", AlertSinksConfig.DEFAULT_LOG);
    Optional<AlertSinksConfig.Alertmanager> am = Optional.empty();
    if (s.node("alertmanager").isPresent()) {
      Section a = s.section("alertmanager");
      a.allowOnly("url", "resend-interval");
      a.require("url", "is required (the Alertmanager's base URL, e.g. http://127.0.0.1:9093)");
      URI url = url(a);
      Duration resend =
          a.duration("resend-interval", AlertSinksConfig.Alertmanager.DEFAULT_RESEND_INTERVAL);
      am = Optional.of(a.build(() -> new AlertSinksConfig.Alertmanager(url, resend)));
    }
    Optional<AlertSinksConfig.Webhook> wh = Optional.empty();
    if (s.node("webhook").isPresent()) {
      Section w = s.section("webhook");
      w.allowOnly("url", "queue-size", "max-retries");
      w.require("url", "is required (where to POST each alert event)");
      URI url = url(w);
      int queue =
          w.integer("queue-size", AlertSinksConfig.Webhook.DEFAULT_QUEUE_SIZE, 1, 1_000_000);
      int retries = w.integer("max-retries", AlertSinksConfig.Webhook.DEFAULT_MAX_RETRIES, 0, 100);
      wh = Optional.of(w.build(() -> new AlertSinksConfig.Webhook(url, queue, retries)));
    }
    Optional<AlertSinksConfig.Alertmanager> amc = am;
    Optional<AlertSinksConfig.Webhook> whc = wh;
    return s.build(() -> new AlertSinksConfig(log, amc, whc));
  }

  private static URI url(Section s) throws ConfigException {
    String text = s.requiredString("url", "is required");
    try {
      return AlertSinksConfig.parseUrl(text);
    } catch (IllegalArgumentException e) {
      throw s.error(s.node("url").orElseThrow(), "url", e.getMessage());
    }
  }
}
