package dev.flowgate.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network namespace, or the host's own ({@link #HOST}). Commands run inside it through {@code
 * nsenter --net=/run/netns/NAME}, which changes the network namespace only: the mount namespace,
 * and so bpffs and its pins, stay the host's ({@code ip netns exec} would remount /sys and hide
 * them). Created by {@link Lab#netns()}, deleted when the lab closes.
 */
public final class Netns {
  /** The host namespace: commands run directly. */
  public static final Netns HOST = new Netns("host", null);

  private static final Pattern IFINDEX = Pattern.compile("\"ifindex\":(\\d+)");
  private static final Pattern ADDRESS = Pattern.compile("\"address\":\"([0-9a-f:]{17})\"");

  private final String name;
  private final Path path;

  Netns(String name, Path path) {
    this.name = name;
    this.path = path;
  }

  /** The namespace's name ({@code fg-<pid>-<n>}), or "host". */
  public String name() {
    return name;
  }

  /** Its bind mount under /run/netns, the argument of {@code nsenter --net=}; null for the host. */
  public Path path() {
    return path;
  }

  /** True for {@link #HOST}. */
  public boolean isHost() {
    return path == null;
  }

  /** {@code argv} prefixed so that it runs in this namespace (unchanged for the host). */
  public List<String> argv(List<String> argv) {
    if (isHost()) {
      return List.copyOf(argv);
    }
    List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + path, "--"));
    full.addAll(argv);
    return full;
  }

  /** Runs a command in this namespace; a non-zero exit is returned, not thrown. */
  public Command.Result run(String... argv) {
    return Command.run(argv(List.of(argv)));
  }

  /** Runs a command in this namespace; a non-zero exit is a {@link LabException}. */
  public Command.Result check(String... argv) {
    return run(argv).orThrow();
  }

  /** The ifindex of {@code ifname} as this namespace numbers it (what an attach here needs). */
  public int ifindex(String ifname) {
    return Integer.parseInt(first(IFINDEX, linkJson(ifname, false), ifname));
  }

  /** The Ethernet address of {@code ifname}. */
  public MacAddress mac(String ifname) {
    return MacAddress.parse(first(ADDRESS, linkJson(ifname, false), ifname));
  }

  /** The kernel's rx/tx counters of {@code ifname}. */
  public InterfaceStats stats(String ifname) {
    return InterfaceStats.parse(linkJson(ifname, true));
  }

  /** Writes a sysctl in this namespace ({@code net.*} keys are per namespace). */
  public void sysctl(String key, String value) {
    check("sysctl", "-q", "-w", key + "=" + value);
  }

  /** Reads a sysctl in this namespace. */
  public String sysctl(String key) {
    return check("sysctl", "-n", key).stdout().strip();
  }

  private String linkJson(String ifname, boolean stats) {
    return stats
        ? check("ip", "-j", "-s", "link", "show", "dev", ifname).stdout()
        : check("ip", "-j", "link", "show", "dev", ifname).stdout();
  }

  private String first(Pattern p, String json, String ifname) {
    Matcher m = p.matcher(json);
    if (!m.find()) {
      throw new LabException("no " + p + " for " + ifname + " in " + name + ": " + json);
    }
    return m.group(1);
  }

  @Override
  public String toString() {
    return name;
  }
}
