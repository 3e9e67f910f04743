package dev.flowgate.netlink;

import dev.flowgate.bpf.NativeBpf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * rtnetlink through the JNI shim ({@code netlink.c}): the links of the network namespace this
 * process runs in. Unlike {@code /sys/class/net}, which shows the mount namespace's view, this is
 * right after {@code nsenter --net}.
 */
public final class Rtnetlink {
  /** Bytes per link record in the buffers the shim fills (struct fg_link_rec). */
  static final int RECORD_SIZE = 40;

  static final int EVENT_NEW = 1;
  static final int EVENT_DEL = 2;

  /** fg_link_rec.kind of a VLAN device. */
  static final int KIND_VLAN = 1;

  // errno values the shim returns negated
  static final int ENOBUFS = 105;
  static final int ENOSPC = 28;
  static final int ECANCELED = 125;

  private static final int IFF_UP = 1;
  private static final int IFNAMSIZ = 16;

  private Rtnetlink() {}

  /**
   * Every link of this network namespace (one RTM_GETLINK dump), in ifindex order.
   *
   * @throws UncheckedIOException if the netlink socket fails
   */
  public static List<Link> links() {
    NativeBpf.ensureAvailable();
    for (int room = 256; ; room *= 4) {
      ByteBuffer buf = ByteBuffer.allocateDirect(room * RECORD_SIZE);
      int rc = dump0(buf, room);
      if (rc == -ENOSPC) {
        continue;
      }
      check("RTM_GETLINK dump", rc);
      List<Link> out = new ArrayList<>();
      for (Event e : events(buf, rc)) {
        out.add(e.link());
      }
      out.sort((a, b) -> Integer.compare(a.ifindex(), b.ifindex()));
      return out;
    }
  }

  /** A link appeared or changed ({@code removed} false), or went away (true). */
  record Event(Link link, boolean removed) {}

  static List<Event> events(ByteBuffer buf, int count) {
    buf.order(ByteOrder.nativeOrder());
    List<Event> out = new ArrayList<>(count);
    byte[] name = new byte[IFNAMSIZ];
    for (int i = 0; i < count; i++) {
      int at = i * RECORD_SIZE;
      int ifindex = buf.getInt(at);
      int flags = buf.getInt(at + 4);
      int mtu = buf.getInt(at + 8);
      int type = Short.toUnsignedInt(buf.getShort(at + 12));
      int event = buf.get(at + 14);
      buf.get(at + 16, name);
      int parent = buf.getInt(at + 32);
      int vid = Short.toUnsignedInt(buf.getShort(at + 36));
      boolean vlan = buf.get(at + 38) == KIND_VLAN;
      int len = 0;
      while (len < IFNAMSIZ && name[len] != 0) {
        len++;
      }
      Link link =
          new Link(
              ifindex,
              new String(name, 0, len, StandardCharsets.UTF_8),
              type,
              mtu,
              (flags & IFF_UP) != 0,
              parent,
              vlan ? vid : Link.NOT_VLAN);
      out.add(new Event(link, event == EVENT_DEL));
    }
    return out;
  }

  static int check(String op, int rc) {
    if (rc < 0) {
      throw new UncheckedIOException(
          new IOException(op + ": " + NativeBpf.strerror(-rc) + " (errno " + -rc + ")"));
    }
    return rc;
  }

  static native int dump0(ByteBuffer buf, int room);

  static native int openMonitor0();

  static native int openWake0();

  static native int wake0(int wakeFd);

  static native int read0(int fd, int wakeFd, ByteBuffer buf, int room);

  /**
   * Parses {@code len} bytes of rtnetlink messages (as one datagram from the kernel) into {@code
   * room} records in {@code out}: the parse of {@link #dump0} and {@link #read0}, for tests.
   *
   * @return records written, or -errno (an NLMSG_ERROR's, or ENOSPC)
   */
  static native int walk0(ByteBuffer msgs, int len, ByteBuffer out, int room);

  static native int close0(int fd);
}
