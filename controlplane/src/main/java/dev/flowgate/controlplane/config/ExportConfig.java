package dev.flowgate.controlplane.config;

import dev.flowgate.exporters.spool.SinkSpool;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code export:} section: where finished flows go.
 *
 * @param ipfix flow collectors (IPFIX or NetFlow); empty = none
 * @param arrow rolling Arrow IPC files; empty = off
 * @param spoolLimit the bound in bytes of each collector's and Kafka sink's spool (its journal of
 *     records until delivery, under the state directory); 0 = no spool (an in-memory queue that
 *     drops when full)
 * @param removedCollectorTimeout how long a collector removed by a reload goes on delivering what
 *     its spool holds before the rest is dropped and counted; 0 = dropped at once
 * @param kafka Kafka topics; empty = none
 */
public record ExportConfig(
    List<CollectorConfig> ipfix,
    Optional<ArrowExportConfig> arrow,
    long spoolLimit,
    Duration removedCollectorTimeout,
    List<KafkaExportConfig> kafka) {

  /** Default removed-collector-timeout: 1 hour. */
  public static final Duration DEFAULT_REMOVED_COLLECTOR_TIMEOUT = Duration.ofHours(1);

  /** Longest removed-collector-timeout: 7 days. */
  public static final Duration MAX_REMOVED_COLLECTOR_TIMEOUT = Duration.ofDays(7);

  /** Default spool-limit: 256 MiB per sink ({@link SinkSpool#DEFAULT_LIMIT_BYTES}). */
  public static final long DEFAULT_SPOOL_LIMIT = SinkSpool.DEFAULT_LIMIT_BYTES;

  /** Largest spool-limit: 1 TiB. */
  public static final long MAX_SPOOL_LIMIT = 1L << 40;

  /**
   * Checks that no collector is listed twice (same address, port and transport), nor a Kafka topic
   * (same topic and first bootstrap server: the sink's name).
   */
  public ExportConfig {
    ipfix = List.copyOf(Check.present("ipfix", ipfix));
    Objects.requireNonNull(arrow, "arrow");
    Check.range(
        "removed-collector-timeout",
        removedCollectorTimeout,
        Duration.ZERO,
        MAX_REMOVED_COLLECTOR_TIMEOUT);
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

  /** Collectors and Arrow files with a spool setting, no Kafka. */
  public ExportConfig(
      List<CollectorConfig> ipfix,
      Optional<ArrowExportConfig> arrow,
      long spoolLimit,
      Duration removedCollectorTimeout) {
    this(ipfix, arrow, spoolLimit, removedCollectorTimeout, List.of());
  }

  /** No export at all. */
  public static ExportConfig none() {
    return new ExportConfig(
        List.of(),
        Optional.empty(),
        DEFAULT_SPOOL_LIMIT,
        DEFAULT_REMOVED_COLLECTOR_TIMEOUT,
        List.of());
  }
}
