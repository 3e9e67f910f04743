package dev.flowgate.exporters.encode;

/**
 * The exporting process's own totals, sent in the statistics options record (IPFIX RFC 7011 section
 * 4.3 and 4.5; NetFlow v9 TOTAL_*_EXP).
 *
 * @param messages exportedMessageTotalCount: messages sent so far
 * @param records exportedFlowRecordTotalCount: flow data records sent so far
 * @param octets exportedOctetTotalCount: message bytes sent so far
 * @param notSentRecords notSentFlowTotalCount: flow records dropped before they were sent
 */
public record ExportTotals(long messages, long records, long octets, long notSentRecords) {

  /** All zero. */
  public static final ExportTotals ZERO = new ExportTotals(0, 0, 0, 0);
}
