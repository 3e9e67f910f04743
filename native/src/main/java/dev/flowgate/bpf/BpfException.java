package dev.flowgate.bpf;

/**
 * A BPF operation failed. Carries the operation, the errno the kernel or libbpf returned, and
 * whatever libbpf logged meanwhile (for a load, the verifier log), so a failure explains itself.
 */
public final class BpfException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String op;
  private final int errno;
  private final String detail;

  /**
   * @param op the operation, e.g. {@code "load flowgate.bpf.o"}
   * @param errno the positive errno value
   * @param detail libbpf's log or a human explanation; may be null
   */
  public BpfException(String op, int errno, String detail) {
    super(message(op, errno, detail));
    this.op = op;
    this.errno = errno;
    this.detail = detail == null ? "" : detail;
  }

  private static String message(String op, int errno, String detail) {
    String msg = op + ": " + NativeBpf.strerror(errno) + " (errno " + errno + ")";
    return detail == null || detail.isBlank() ? msg : msg + "\n" + detail.strip();
  }

  /**
   * The exception for a native result {@code rc < 0} ({@code -errno}), with the log libbpf wrote
   * during that call on this thread.
   */
  static BpfException of(String op, long rc) {
    return new BpfException(op, (int) -rc, NativeBpf.lastDetail());
  }

  /** Returns {@code rc} if it is not negative, else throws {@link #of(String, long)}. */
  static int check(String op, int rc) {
    if (rc < 0) {
      throw of(op, rc);
    }
    return rc;
  }

  /** The operation that failed. */
  public String op() {
    return op;
  }

  /** The positive errno value, e.g. 16 for EBUSY. */
  public int errno() {
    return errno;
  }

  /** libbpf's log or the verifier's during the call, or an explanation; empty if none. */
  public String detail() {
    return detail;
  }
}
