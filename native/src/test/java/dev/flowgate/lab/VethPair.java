package dev.flowgate.lab;

/**
 * A veth pair whose two ends may live in different namespaces: what one end sends, the other
 * receives. Created by {@link Lab#veth(Netns, Netns)} (both ends down, no addresses), deleted when
 * the lab closes.
 */
public final class VethPair {
  /** One end of the pair: an interface name in a namespace. */
  public record End(String name, Netns netns) {
    /** The ifindex in this end's namespace. */
    public int ifindex() {
      return netns.ifindex(name);
    }

    /** The Ethernet address. */
    public MacAddress mac() {
      return netns.mac(name);
    }

    /** The kernel's counters. */
    public InterfaceStats stats() {
      return netns.stats(name);
    }

    /** Brings the interface up. */
    public End up() {
      netns.check("ip", "link", "set", "dev", name, "up");
      return this;
    }

    /** Sets a per-interface sysctl, e.g. {@code conf("ipv6", "disable_ipv6", "1")}. */
    public End conf(String family, String key, String value) {
      netns.sysctl("net." + family + ".conf." + name + "." + key, value);
      return this;
    }

    /** Runs {@code ip ARGS} in this end's namespace, e.g. {@code ip("addr", "add", ...)}. */
    public Command.Result ip(String... args) {
      String[] argv = new String[args.length + 1];
      argv[0] = "ip";
      System.arraycopy(args, 0, argv, 1, args.length);
      return netns.check(argv);
    }

    @Override
    public String toString() {
      return name + "@" + netns.name();
    }
  }

  private final End a;
  private final End b;

  VethPair(End a, End b) {
    this.a = a;
    this.b = b;
  }

  /** The first end. */
  public End a() {
    return a;
  }

  /** The second end (the peer of {@link #a()}). */
  public End b() {
    return b;
  }

  /** Deletes the pair (deleting one end deletes both); a pair already gone is fine. */
  void delete() {
    Command.Result r = a.netns().run("ip", "link", "del", "dev", a.name());
    if (!r.ok() && !r.stderr().contains("Cannot find device")) {
      r.orThrow();
    }
  }

  @Override
  public String toString() {
    return a + "<->" + b;
  }
}
