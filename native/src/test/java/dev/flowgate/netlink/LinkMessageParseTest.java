package dev.flowgate.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.NativeBpf;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shim's parse of RTM_NEWLINK/RTM_DELLINK messages ({@code netlink.c}, the one the dump and the
 * monitor use), fed crafted datagrams: VLAN devices (IFLA_LINKINFO kind "vlan" with IFLA_VLAN_ID
 * under IFLA_INFO_DATA) give their parent and VID; other kinds, whose IFLA_INFO_DATA numbers mean
 * something else, and cut attributes do not. No root needed: no socket is opened.
 */
class LinkMessageParseTest {
  // linux/rtnetlink.h, linux/if_link.h
  static final int RTM_NEWLINK = 16;
  static final int RTM_DELLINK = 17;
  static final int NLMSG_DONE = 3;
  static final int IFLA_IFNAME = 3;
  static final int IFLA_MTU = 4;
  static final int IFLA_LINK = 5;
  static final int IFLA_LINKINFO = 18;
  static final int IFLA_LINK_NETNSID = 37;
  static final int IFLA_INFO_KIND = 1;
  static final int IFLA_INFO_DATA = 2;
  static final int IFLA_VLAN_ID = 1;
  static final int IFLA_VLAN_PROTOCOL = 5;
  static final int IFLA_MACVLAN_MODE = 1;
  static final int NLA_F_NESTED = 0x8000;
  static final int ARPHRD_ETHER = 1;
  static final int IFF_UP = 1;

  @BeforeAll
  static void library() {
    NativeBpf.ensureAvailable();
  }

  @Test
  void vlanDeviceGivesItsParentAndVid() {
    byte[] msg =
        link(
            RTM_NEWLINK,
            7,
            name("trunk0.10"),
            u32(IFLA_MTU, 1500),
            u32(IFLA_LINK, 2),
            flaggedNest(
                IFLA_LINKINFO,
                string(IFLA_INFO_KIND, "vlan"),
                flaggedNest(
                    IFLA_INFO_DATA,
                    u16(IFLA_VLAN_ID, 10),
                    attr(IFLA_VLAN_PROTOCOL, new byte[] {(byte) 0x81, 0}))));

    assertThat(parse(msg))
        .containsExactly(
            new Rtnetlink.Event(new Link(7, "trunk0.10", ARPHRD_ETHER, 1500, true, 2, 10), false));
    assertThat(parse(msg).get(0).link().isVlan()).isTrue();
  }

  @Test
  void attributeOrderDoesNotMatterAndAKindWithoutItsNulIsRead() {
    byte[] msg =
        link(
            RTM_NEWLINK,
            9,
            nested(
                IFLA_LINKINFO,
                nested(IFLA_INFO_DATA, u16(IFLA_VLAN_ID, 4094)),
                attr(IFLA_INFO_KIND, "vlan".getBytes(StandardCharsets.US_ASCII))),
            u32(IFLA_LINK, 3),
            name("t.4094"));

    assertThat(parse(msg).get(0).link())
        .isEqualTo(new Link(9, "t.4094", ARPHRD_ETHER, 0, true, 3, 4094));
  }

  @Test
  void otherKindsAreNotVlanDevicesEvenWithAnAttributeNumberedLikeTheVid() {
    // macvlan's IFLA_INFO_DATA attribute 1 is its mode, not a VID
    byte[] macvlan =
        link(
            RTM_NEWLINK,
            11,
            name("mv0"),
            u32(IFLA_LINK, 2),
            nested(
                IFLA_LINKINFO,
                string(IFLA_INFO_KIND, "macvlan"),
                nested(IFLA_INFO_DATA, u32(IFLA_MACVLAN_MODE, 4))));
    byte[] vlanish =
        link(
            RTM_NEWLINK,
            12,
            name("x0"),
            nested(
                IFLA_LINKINFO,
                string(IFLA_INFO_KIND, "vlanx"),
                nested(IFLA_INFO_DATA, u16(IFLA_VLAN_ID, 10))));
    byte[] lo = link(RTM_NEWLINK, 1, name("lo"), u32(IFLA_MTU, 65536));

    List<Rtnetlink.Event> events = parse(concat(macvlan, vlanish, lo, done()));

    assertThat(events)
        .extracting(Rtnetlink.Event::link)
        .containsExactly(
            new Link(11, "mv0", ARPHRD_ETHER, 0, true, 2, Link.NOT_VLAN),
            new Link(12, "x0", ARPHRD_ETHER, 0, true, 0, Link.NOT_VLAN),
            new Link(1, "lo", ARPHRD_ETHER, 65536, true, 0, Link.NOT_VLAN));
    assertThat(events).noneMatch(e -> e.link().isVlan());
  }

  @Test
  void aVlanDeviceWhoseParentIsInAnotherNamespaceNamesNoParent() {
    // IFLA_LINK is then an ifindex of the other namespace: not one of ours
    byte[] msg =
        link(
            RTM_NEWLINK,
            5,
            name("v10"),
            u32(IFLA_LINK, 2),
            u32(IFLA_LINK_NETNSID, 0),
            nested(
                IFLA_LINKINFO,
                string(IFLA_INFO_KIND, "vlan"),
                nested(IFLA_INFO_DATA, u16(IFLA_VLAN_ID, 10))));

    assertThat(parse(msg).get(0).link())
        .isEqualTo(new Link(5, "v10", ARPHRD_ETHER, 0, true, 0, 10));
  }

  @Test
  void removalOfAVlanDeviceIsARemovedEvent() {
    byte[] msg =
        link(
            RTM_DELLINK,
            7,
            name("trunk0.10"),
            u32(IFLA_LINK, 2),
            nested(
                IFLA_LINKINFO,
                string(IFLA_INFO_KIND, "vlan"),
                nested(IFLA_INFO_DATA, u16(IFLA_VLAN_ID, 10))));

    assertThat(parse(msg))
        .containsExactly(
            new Rtnetlink.Event(new Link(7, "trunk0.10", ARPHRD_ETHER, 0, true, 2, 10), true));
  }

  @Test
  void aCutVidOrACutNestIsNotAVlanDevice() {
    // IFLA_VLAN_ID with one byte of payload
    byte[] shortVid =
        link(
            RTM_NEWLINK,
            7,
            name("a"),
            nested(
                IFLA_LINKINFO,
                string(IFLA_INFO_KIND, "vlan"),
                nested(IFLA_INFO_DATA, attr(IFLA_VLAN_ID, new byte[] {10}))));
    // IFLA_INFO_DATA claims more bytes than IFLA_LINKINFO holds
    byte[] data = nested(IFLA_INFO_DATA, u16(IFLA_VLAN_ID, 10));
    ByteBuffer.wrap(data).order(ByteOrder.nativeOrder()).putShort(0, (short) 64);
    byte[] longNest =
        link(
            RTM_NEWLINK, 8, name("b"), nested(IFLA_LINKINFO, string(IFLA_INFO_KIND, "vlan"), data));

    assertThat(parse(concat(shortVid, longNest)))
        .extracting(Rtnetlink.Event::link)
        .containsExactly(
            new Link(7, "a", ARPHRD_ETHER, 0, true, 0, Link.NOT_VLAN),
            new Link(8, "b", ARPHRD_ETHER, 0, true, 0, Link.NOT_VLAN));
  }

  @Test
  void anAttributeCutByTheEndOfTheMessageEndsTheAttributesAndACutMessageIsNone() {
    byte[] vlan =
        link(
            RTM_NEWLINK,
            7,
            name("c"),
            u32(IFLA_LINK, 2),
            nested(
                IFLA_LINKINFO,
                string(IFLA_INFO_KIND, "vlan"),
                nested(IFLA_INFO_DATA, u16(IFLA_VLAN_ID, 10))));
    // the message ends 4 bytes into IFLA_LINKINFO (its last 28 bytes): nlmsg_len says so, the
    // attribute's rta_len does not
    int cut = vlan.length - 28 + 4;
    byte[] truncated = java.util.Arrays.copyOf(vlan, cut);
    ByteBuffer.wrap(truncated).order(ByteOrder.nativeOrder()).putInt(0, cut);

    assertThat(parse(truncated))
        .extracting(Rtnetlink.Event::link)
        .containsExactly(new Link(7, "c", ARPHRD_ETHER, 0, true, 2, Link.NOT_VLAN));
    // a datagram shorter than its message's nlmsg_len holds no message
    assertThat(parse(java.util.Arrays.copyOf(vlan, vlan.length - 4))).isEmpty();
  }

  // ---- the shim ----

  static List<Rtnetlink.Event> parse(byte[] datagram) {
    ByteBuffer in = ByteBuffer.allocateDirect(datagram.length);
    in.put(0, datagram);
    int room = 16;
    ByteBuffer out = ByteBuffer.allocateDirect(room * Rtnetlink.RECORD_SIZE);
    int n = Rtnetlink.check("walk", Rtnetlink.walk0(in, datagram.length, out, room));
    return Rtnetlink.events(out, n);
  }

  // ---- crafted messages, host byte order as the kernel sends them ----

  static byte[] link(int type, int ifindex, byte[]... attrs) {
    byte[] body = concat(attrs);
    ByteBuffer b = ByteBuffer.allocate(16 + 16 + body.length).order(ByteOrder.nativeOrder());
    b.putInt(b.capacity()).putShort((short) type).putShort((short) 0).putInt(1).putInt(0);
    // ifinfomsg: family, pad, type, index, flags, change
    b.put((byte) 0).put((byte) 0).putShort((short) ARPHRD_ETHER).putInt(ifindex).putInt(IFF_UP);
    b.putInt(0);
    b.put(body);
    return b.array();
  }

  static byte[] done() {
    ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
    b.putInt(20).putShort((short) NLMSG_DONE).putShort((short) 0).putInt(1).putInt(0).putInt(0);
    return b.array();
  }

  static byte[] attr(int type, byte[] payload) {
    int len = 4 + payload.length;
    ByteBuffer b = ByteBuffer.allocate((len + 3) & ~3).order(ByteOrder.nativeOrder());
    b.putShort((short) len).putShort((short) type).put(payload);
    return b.array();
  }

  /** A nest as the kernel's rtnl_link_fill writes it: without NLA_F_NESTED. */
  static byte[] nested(int type, byte[]... attrs) {
    return attr(type, concat(attrs));
  }

  /** A nest with NLA_F_NESTED set, as newer kernel code writes nests. */
  static byte[] flaggedNest(int type, byte[]... attrs) {
    return attr(type | NLA_F_NESTED, concat(attrs));
  }

  static byte[] string(int type, String s) {
    byte[] a = s.getBytes(StandardCharsets.US_ASCII);
    return attr(type, java.util.Arrays.copyOf(a, a.length + 1));
  }

  static byte[] name(String s) {
    return string(IFLA_IFNAME, s);
  }

  static byte[] u32(int type, int v) {
    return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
  }

  static byte[] u16(int type, int v) {
    return attr(
        type, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) v).array());
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
