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
 * @param parent the ifindex of the link this one sits on (IFLA_LINK: a VLAN device's parent, a
 *     veth's peer), 0 when there is none in this network namespace
 * @param vlanId for an 802.1Q/802.1ad VLAN device (IFLA_INFO_KIND "vlan") its VID (IFLA_VLAN_ID),
 *     else {@link #NOT_VLAN}
 */
public record Link(
    int ifindex, String name, int type, int mtu, boolean up, int parent, int vlanId) {

  /** {@link #vlanId()} of a link that is not a VLAN device. */
  public static final int NOT_VLAN = -1;

  /** A link that is not a VLAN device and names no parent. */
  public Link(int ifindex, String name, int type, int mtu, boolean up) {
    this(ifindex, name, type, mtu, up, 0, NOT_VLAN);
  }

  /** True for a VLAN device: tagged frames with {@link #vlanId()} on {@link #parent()} go to it. */
  public boolean isVlan() {
    return vlanId != NOT_VLAN;
  }

  /** True when frames on this link start with the IP header (no Ethernet header). */
  public boolean carriesRawIp() {
    return LinkType.carriesRawIp(type);
  }
}
