package dev.flowgate.netlink;

/**
 * One network interface of this process's network namespace, as rtnetlink reports it.
 *
 * @param ifindex the kernel's interface index
 * @param name the interface name (IFLA_IFNAME)
 * @param type the link type, an {@code ARPHRD_*} value of {@code linux/if_arp.h} (see {@link
 *     LinkType})
 * @param mtu the MTU in bytes (IFLA_MTU), 0 if the kernel gave none
 * @param up whether the interface is administratively up (IFF_UP)
 */
public record Link(int ifindex, String name, int type, int mtu, boolean up) {

  /** True when frames on this link start with the IP header (no Ethernet header). */
  public boolean carriesRawIp() {
    return LinkType.carriesRawIp(type);
  }
}
