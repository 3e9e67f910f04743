package dev.flowgate.lab;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The calling thread pinned to one CPU (taskset on its thread id) until {@link #close()} puts its
 * former affinity back. A BPF_PROG_TEST_RUN runs on the CPU of the thread that asks for it, so a
 * test pinned this way knows which CPU's slice of the flow table its runs write.
 *
 * <pre>{@code
 * try (CpuPin pin = CpuPin.thisThreadTo(0)) {
 *   ... every test run lands on CPU 0
 * }
 * }</pre>
 */
public final class CpuPin implements AutoCloseable {
  private final String tid;
  private final String formerMask;

  private CpuPin(String tid, String formerMask) {
    this.tid = tid;
    this.formerMask = formerMask;
  }

  /** Pins the calling thread to {@code cpu}; fails if this process may not run there. */
  public static CpuPin thisThreadTo(int cpu) {
    String tid;
    try {
      tid = Path.of("/proc/thread-self").toRealPath().getFileName().toString();
    } catch (IOException e) {
      throw new LabException("cannot read this thread's id from /proc/thread-self", e);
    }
    // "pid 123's current affinity mask: 3"
    String shown = Command.check("taskset", "-p", tid).stdout().trim();
    String mask = shown.substring(shown.lastIndexOf(' ') + 1);
    Command.check("taskset", "-pc", Integer.toString(cpu), tid);
    return new CpuPin(tid, mask);
  }

  /** Puts the thread's former affinity back. */
  @Override
  public void close() {
    Command.check("taskset", "-p", formerMask, tid);
  }
}
