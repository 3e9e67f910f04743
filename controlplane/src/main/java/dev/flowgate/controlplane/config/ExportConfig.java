package dev.flowgate.controlplane.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code export:} section: where finished flows go.
 *
 * @param ipfix flow collectors (IPFIX or NetFlow); empty = none
 * @param arrow rolling Arrow IPC files; empty = off
 */
public record ExportConfig(List<CollectorConfig> ipfix, Optional<ArrowExportConfig> arrow) {

  /** Checks that no collector is listed twice (same address, port and transport). */
  public ExportConfig {
    ipfix = List.copyOf(Check.present("ipfix", ipfix));
    Objects.requireNonNull(arrow, "arrow");
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
    return new ExportConfig(List.of(), Optional.empty());
  }
}
