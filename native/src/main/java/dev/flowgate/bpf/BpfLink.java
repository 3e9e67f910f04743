package dev.flowgate.bpf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program attached to an interface.
 *
 * <p>XDP and TCX attachments are BPF links: they detach when the last reference goes, i.e. on
 * {@link #close()} or process exit, unless pinned with {@link #pin(Path)} (then they stay until
 * {@link #unpin()} and close, or {@link #detach()}). A {@link Kind#CLSACT} attachment (kernels
 * without TCX) is a tc filter: it stays until {@link #close()} removes it, and cannot be pinned.
 *
 * <p>flowgate never displaces another tool: an XDP attach fails with {@link BpfException} (errno
 * EBUSY or EEXIST) if the interface already runs an XDP program; TCX links and clsact filters are
 * added next to whatever is there, and only our own filter is ever removed.
 */
public final class BpfLink implements AutoCloseable {
  private static final int EINVAL = 22;
  private static final int BPF_LINK_TYPE_XDP = 6;
  private static final int BPF_LINK_TYPE_TCX = 11;
  private static final int BPF_TCX_INGRESS = 46;

  /** How the program is attached. */
  public enum Kind {
    /** An XDP BPF link. */
    XDP,
    /** A TCX BPF link (kernel 6.6+). */
    TCX,
    /** A direct-action cls_bpf filter on a clsact qdisc (older kernels). */
    CLSACT
  }

  private final Kind kind;
  private final int ifindex;
  private final TcDirection direction; // null for XDP
  private final int handle; // CLSACT only
  private final int priority; // CLSACT only
  private int fd; // -1 for CLSACT
  private Path pinPath;
  private boolean closed;

  private BpfLink(Kind kind, int fd, int ifindex, TcDirection direction, int handle, int priority) {
    this.kind = kind;
    this.fd = fd;
    this.ifindex = ifindex;
    this.direction = direction;
    this.handle = handle;
    this.priority = priority;
  }

  /**
   * Attaches an XDP program as a BPF link. Never replaces: if the interface already runs an XDP
   * program (any mode) this throws {@link BpfException} with errno EBUSY or EEXIST and the holder
   * named in the detail. EOPNOTSUPP for {@link XdpMode#NATIVE} means the driver has no native XDP.
   */
  public static BpfLink attachXdp(BpfProgram program, int ifindex, XdpMode mode) {
    NativeBpf.ensureAvailable();
    int fd = attachXdp0(program.fd(), ifindex, mode.flags());
    if (fd < 0) {
      throw BpfException.of(
          "attach XDP ("
              + mode.name().toLowerCase()
              + ") program "
              + program.name()
              + " to ifindex "
              + ifindex,
          fd);
    }
    return new BpfLink(Kind.XDP, fd, ifindex, null, 0, 0);
  }

  /**
   * Attaches a TC program: a TCX link where the kernel has TCX, else (EINVAL: unknown attach type)
   * a clsact filter via {@link #attachClsact}.
   */
  public static BpfLink attachTc(BpfProgram program, int ifindex, TcDirection direction) {
    NativeBpf.ensureAvailable();
    int fd = attachTcx0(program.fd(), ifindex, direction == TcDirection.INGRESS);
    if (fd == -EINVAL && program.type() == BpfProgram.TYPE_SCHED_CLS) {
      NativeBpf.lastDetail(); // the TCX attempt's log is not the story
      return attachClsact(program, ifindex, direction);
    }
    if (fd < 0) {
      throw BpfException.of(tcOp("TCX", program, ifindex, direction), fd);
    }
    return new BpfLink(Kind.TCX, fd, ifindex, direction, 0, 0);
  }

  /** Attaches a TC program as a TCX link, with no fallback. */
  public static BpfLink attachTcx(BpfProgram program, int ifindex, TcDirection direction) {
    NativeBpf.ensureAvailable();
    int fd = attachTcx0(program.fd(), ifindex, direction == TcDirection.INGRESS);
    if (fd < 0) {
      throw BpfException.of(tcOp("TCX", program, ifindex, direction), fd);
    }
    return new BpfLink(Kind.TCX, fd, ifindex, direction, 0, 0);
  }

  /**
   * Attaches a TC program as a direct-action filter on the interface's clsact qdisc (created if
   * missing, never deleted), with a handle and priority the kernel picks, next to any other
   * filters. {@link #close()} removes exactly this filter.
   */
  public static BpfLink attachClsact(BpfProgram program, int ifindex, TcDirection direction) {
    NativeBpf.ensureAvailable();
    int[] out = new int[2];
    int rc = attachClsact0(program.fd(), ifindex, direction == TcDirection.INGRESS, out);
    if (rc < 0) {
      throw BpfException.of(tcOp("clsact", program, ifindex, direction), rc);
    }
    return new BpfLink(Kind.CLSACT, -1, ifindex, direction, out[0], out[1]);
  }

  private static String tcOp(String how, BpfProgram p, int ifindex, TcDirection d) {
    return "attach "
        + how
        + " "
        + d.name().toLowerCase()
        + " program "
        + p.name()
        + " to ifindex "
        + ifindex;
  }

  /**
   * Opens a link pinned at {@code path} (XDP or TCX); it remembers the pin for {@link #unpin()}.
   */
  public static BpfLink openPinned(Path path) {
    int fd = BpfFds.openPinned(path);
    int[] info = new int[5];
    int rc = linkInfo0(fd, info);
    if (rc < 0) {
      BpfFds.close(fd);
      throw BpfException.of("link info " + path, rc);
    }
    BpfLink link;
    if (info[0] == BPF_LINK_TYPE_XDP) {
      link = new BpfLink(Kind.XDP, fd, info[3], null, 0, 0);
    } else if (info[0] == BPF_LINK_TYPE_TCX) {
      TcDirection d = info[4] == BPF_TCX_INGRESS ? TcDirection.INGRESS : TcDirection.EGRESS;
      link = new BpfLink(Kind.TCX, fd, info[3], d, 0, 0);
    } else {
      BpfFds.close(fd);
      throw new BpfException(
          "open pinned link " + path, EINVAL, "link type " + info[0] + " is neither XDP nor TCX");
    }
    link.pinPath = path;
    return link;
  }

  /**
   * The id of the XDP program on an interface in {@code mode}, or 0 if none: how to tell whether
   * someone else's program holds it.
   */
  public static int attachedXdpProgramId(int ifindex, XdpMode mode) {
    NativeBpf.ensureAvailable();
    int[] out = new int[4];
    BpfException.check("query XDP on ifindex " + ifindex, xdpQuery0(ifindex, out));
    return mode == XdpMode.NATIVE ? out[0] : out[1];
  }

  /** How the program is attached. */
  public Kind kind() {
    return kind;
  }

  /** The interface. */
  public int ifindex() {
    return ifindex;
  }

  /** The TC direction, or null for XDP. */
  public TcDirection direction() {
    return direction;
  }

  /** The link fd ({@code -1} for a clsact filter, which has none). */
  public int fd() {
    return fd;
  }

  /** The kernel's link id, or 0 for a clsact filter. */
  public int id() {
    return kind == Kind.CLSACT ? 0 : info()[1];
  }

  /** The id of the attached program (clsact: as the kernel reported at attach, else 0). */
  public int programId() {
    return kind == Kind.CLSACT ? 0 : info()[2];
  }

  /** A clsact filter's handle (0 for links). */
  public int tcHandle() {
    return handle;
  }

  /** A clsact filter's priority (0 for links). */
  public int tcPriority() {
    return priority;
  }

  private int[] info() {
    requireOpen();
    int[] info = new int[5];
    BpfException.check("link info", linkInfo0(fd, info));
    return info;
  }

  /**
   * Pins the link at {@code path} on bpffs: it stays attached after close and process exit, until
   * {@link #unpin()} and close (or {@link #detach()}).
   *
   * @throws BpfException EOPNOTSUPP for a clsact filter
   */
  public void pin(Path path) {
    requireOpen();
    if (kind == Kind.CLSACT) {
      throw new BpfException("pin " + path, 95, "a clsact filter is not a BPF link");
    }
    BpfFds.pin(fd, path);
    pinPath = path;
  }

  /** Where the link is pinned, or null. */
  public Path pinPath() {
    return pinPath;
  }

  /** Removes the pin (if any); the link then detaches on {@link #close()}. */
  public void unpin() {
    if (pinPath != null) {
      try {
        Files.deleteIfExists(pinPath);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      pinPath = null;
    }
  }

  /**
   * Detaches now, pinned or not (the link object stays until closed and unpinned). For a clsact
   * filter, removes it.
   */
  public void detach() {
    requireOpen();
    if (kind == Kind.CLSACT) {
      close();
      return;
    }
    BpfException.check("detach link on ifindex " + ifindex, linkDetach0(fd));
  }

  /**
   * Puts {@code program} in place of the link's program at once (BPF_LINK_UPDATE): the hook never
   * runs without one. XDP and TCX links only.
   */
  public void update(BpfProgram program) {
    requireOpen();
    if (kind == Kind.CLSACT) {
      throw new IllegalStateException("a clsact filter is not a BPF link: it cannot be updated");
    }
    BpfException.check("update link on ifindex " + ifindex, linkUpdate0(fd, program.fd()));
  }

  /**
   * Releases the link: an unpinned link detaches, a pinned one stays attached; a clsact filter is
   * removed (only ours; the qdisc stays). Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (kind == Kind.CLSACT) {
      int rc = detachClsact0(ifindex, direction == TcDirection.INGRESS, handle, priority);
      if (rc < 0 && rc != -2 && rc != -19) { // ENOENT/ENODEV: filter or interface already gone
        throw BpfException.of("remove clsact filter on ifindex " + ifindex, rc);
      }
      return;
    }
    BpfFds.close(fd);
    fd = -1;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("link on ifindex " + ifindex + " is closed");
    }
  }

  private static native int attachXdp0(int progFd, int ifindex, int mode);

  private static native int xdpQuery0(int ifindex, int[] out);

  private static native int attachTcx0(int progFd, int ifindex, boolean ingress);

  private static native int attachClsact0(int progFd, int ifindex, boolean ingress, int[] out);

  private static native int detachClsact0(int ifindex, boolean ingress, int handle, int priority);

  private static native int linkInfo0(int fd, int[] out);

  private static native int linkDetach0(int fd);

  private static native int linkUpdate0(int fd, int progFd);
}
