package dev.flowgate.controlplane.config;

import dev.flowgate.exporters.spool.SinkSpool;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code export:} section: where finished flows go.
 *
 * @param ipfix flow collectors (IPFIX or NetFlow); empty = none
 * @param arrow rolling Arrow IPC files; empty = off
 * @param spoolLimit the bound in bytes of each collector's spool (its journal of records until
 *     delivery, under the state directory); 0 = no spool (an in-memory queue that drops when full)
 */
public record ExportConfig(
    List<CollectorConfig> ipfix, Optional<ArrowExportConfig> arrow, long spoolLimit) {

  /** Default spool-limit: 256 MiB per sink ({@link SinkSpool#DEFAULT_LIMIT_BYTES}). */
  public static final long DEFAULT_SPOOL_LIMIT = SinkSpool.DEFAULT_LIMIT_BYTES;

  /** Largest spool-limit: 1 TiB. */
  public static final long MAX_SPOOL_LIMIT = 1L << 40;

  /** Checks that no collector is listed twice (same address, port and transport). */
  public ExportConfig {
    ipfix = List.copyOf(Check.present("ipfix", ipfix));
    Objects.requireNonNull(arrow, "arrow");
    if (spoolLimit != 0
        && (spoolLimit < SinkSpool.MIN_LIMIT_BYTES || spoolLimit > MAX_SPOOL_LIMIT)) {
      throw new InvalidSettingException(
          "spool-limit",
          "must be 0 (no spool) or "
              + SinkSpool.MIN_LIMIT_BYTES
              + ".."
              + MAX_SPOOL_LIMIT
              + " bytes, was "
              + spoolLimit);
    }
    for (int i = 0; i < ipfix.size(); i++) {
      for (int j = 0; j < i; j++) {
        CollectorConfig a = ipfix.get(j);
        CollectorConfig b = ipfix.get(i);
        if (a.collector().equals(b.collector()) && a.transport() == b.transport()) {
          throw new InvalidSettingException(
              "ipfix[" + i + "].collector",
              b.collector()
                  + " over "
                  + b.transport().label()
                  + " is already listed (ipfix["
                  + j
                  + "])");
        }
      }
    }
  }

  /** No export at all. */
  public static ExportConfig none() {
    return new ExportConfig(List.of(), Optional.empty(), DEFAULT_SPOOL_LIMIT);
  }
}
