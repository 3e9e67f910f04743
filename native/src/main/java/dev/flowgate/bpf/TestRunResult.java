package dev.flowgate.bpf;

/**
 * The outcome of one BPF_PROG_TEST_RUN.
 *
 * @param retval the program's return value: its verdict ({@link BpfProgram#XDP_PASS}, {@link
 *     BpfProgram#TC_ACT_UNSPEC}, ...)
 * @param dataOut the frame as the program left it
 * @param durationNs average run time per repetition in ns (includes test-run overhead; compare only
 *     with runs in the same process)
 */
public record TestRunResult(int retval, byte[] dataOut, long durationNs) {}
