package dev.flowgate.bpf;

/** Which way through a TC hook a program sees packets. */
public enum TcDirection {
  /** Packets the interface receives (BPF_TCX_INGRESS / clsact ingress). */
  INGRESS,
  /** Packets the interface sends (BPF_TCX_EGRESS / clsact egress). */
  EGRESS
}
