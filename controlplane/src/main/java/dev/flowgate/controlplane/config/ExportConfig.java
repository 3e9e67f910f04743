package dev.flowgate.controlplane.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code export:} section: where finished flows go.
 *
 * @param ipfix flow collectors (IPFIX or NetFlow); empty = none
 * @param arrow rolling Arrow IPC files; empty = off
 * @param kafka Kafka topics; empty = none
 */
public record ExportConfig(
    List<CollectorConfig> ipfix, Optional<ArrowExportConfig> arrow, List<KafkaExportConfig> kafka) {

  /**
   * Checks that no collector is listed twice (same address, port and transport), nor a Kafka topic
   * (same topic and first bootstrap server: the sink's name).
   */
  public ExportConfig {
    ipfix = List.copyOf(Check.present("ipfix", ipfix));
    Objects.requireNonNull(arrow, "arrow");
    kafka = List.copyOf(Check.present("kafka", kafka));
    for (int i = 0; i < kafka.size(); i++) {
      for (int j = 0; j < i; j++) {
        if (kafka.get(i).sinkName().equals(kafka.get(j).sinkName())) {
          throw new InvalidSettingException(
              "kafka[" + i + "].topic",
              kafka.get(i).sinkName() + " is already listed (kafka[" + j + "])");
        }
      }
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

  /** Collectors and Arrow files, no Kafka. */
  public ExportConfig(List<CollectorConfig> ipfix, Optional<ArrowExportConfig> arrow) {
    this(ipfix, arrow, List.of());
  }

  /** No export at all. */
  public static ExportConfig none() {
    return new ExportConfig(List.of(), Optional.empty(), List.of());
  }
}
