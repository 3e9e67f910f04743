package dev.flowgate.bpf;

/**
 * A loaded BPF program of a {@link BpfObject}; its fd belongs to the object and is valid until the
 * object is closed.
 */
public final class BpfProgram {
  /** BPF_PROG_TYPE_SCHED_CLS: a TC classifier. */
  public static final int TYPE_SCHED_CLS = 3;

  /** BPF_PROG_TYPE_XDP. */
  public static final int TYPE_XDP = 6;

  /** XDP_PASS verdict. */
  public static final int XDP_PASS = 2;

  /** TC_ACT_UNSPEC verdict (-1): continue with the next filter / default action. */
  public static final int TC_ACT_UNSPEC = -1;

  /** TC_ACT_OK verdict. */
  public static final int TC_ACT_OK = 0;

  /** Room past the input frame for a program that grows it (XDP tail adjustments). */
  private static final int DATA_OUT_SLACK = 4096;

  private final String name;
  private final int fd;
  private final int type;
  private final int id;

  BpfProgram(String name, int fd) {
    this.name = name;
    this.fd = fd;
    int[] info = new int[2];
    BpfException.check("program info " + name, progInfo0(fd, info));
    this.type = info[0];
    this.id = info[1];
  }

  /** The program's function name. */
  public String name() {
    return name;
  }

  /** Its file descriptor. */
  public int fd() {
    return fd;
  }

  /** BPF_PROG_TYPE_* ({@link #TYPE_XDP}, {@link #TYPE_SCHED_CLS}). */
  public int type() {
    return type;
  }

  /** The kernel's id of this program (as {@code bpftool prog show} lists it). */
  public int id() {
    return id;
  }

  /**
   * Runs the program on one frame with BPF_PROG_TEST_RUN, as if it arrived on the loopback
   * interface. Maps are really updated.
   *
   * @param frame the frame from the Ethernet header on
   * @param repeat how many runs (at least 1); the duration is the average
   */
  public TestRunResult testRun(byte[] frame, int repeat) {
    return testRun(frame, repeat, 0);
  }

  /**
   * Runs the program on one frame with BPF_PROG_TEST_RUN, as if it arrived on interface {@code
   * ifindex} (XDP: {@code ingress_ifindex}; TC: {@code skb->ifindex}). The interface must exist in
   * the caller's network namespace; 0 means loopback.
   *
   * <p>TC note: the kernel hands TC programs a frame whose outer VLAN tag was moved into the skb; a
   * test run leaves the tag in the frame.
   */
  public TestRunResult testRun(byte[] frame, int repeat, int ifindex) {
    if (repeat < 1) {
      throw new IllegalArgumentException("repeat must be at least 1, was " + repeat);
    }
    byte[] out = new byte[frame.length + DATA_OUT_SLACK];
    int[] result = new int[3];
    int rc = testRun0(fd, type, frame, repeat, ifindex, out, result);
    if (rc == -28 && result[1] > out.length) { // ENOSPC: the frame grew past the slack
      out = new byte[result[1]];
      rc = testRun0(fd, type, frame, repeat, ifindex, out, result);
    }
    BpfException.check("test run " + name, rc);
    byte[] dataOut = java.util.Arrays.copyOf(out, Math.min(result[1], out.length));
    return new TestRunResult(result[0], dataOut, Integer.toUnsignedLong(result[2]));
  }

  private static native int progInfo0(int fd, int[] out);

  private static native int testRun0(
      int fd, int type, byte[] frame, int repeat, int ifindex, byte[] dataOut, int[] result);
}
