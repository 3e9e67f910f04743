package dev.flowgate.controlplane.config;

import dev.flowgate.exporters.collector.CollectorOptions;
import dev.flowgate.exporters.collector.ExportProtocol;
import dev.flowgate.exporters.collector.TransportProtocol;
import java.time.Duration;
import java.util.List;

/**
 * One {@code export.ipfix:} entry: a collector and how to talk to it. The defaults and bounds are
 * {@link CollectorOptions}'s, the options the exporter is built from.
 *
 * @param collector where records go
 * @param protocol IPFIX, NetFlow v9 or NetFlow v5
 * @param transport UDP, or TCP (IPFIX only)
 * @param templateRefresh templates are sent again at least this often (UDP; ignored by v5)
 * @param templateRefreshPackets templates are sent again every this many messages; 0 = only by time
 *     (UDP; ignored by v5)
 * @param maxMessageSize largest message in bytes (the UDP payload)
 * @param observationDomainId IPFIX observation domain, NetFlow v9 source id, NetFlow v5 engine id
 * @param sequenceCountsOptions IPFIX only: whether the sequence number also counts options data
 *     records (exporter statistics, interface names), as RFC 7011 says; nfdump counts flow records
 *     only and reports a sequence error per template refresh unless this is false
 */
public record CollectorConfig(
    HostPort collector,
    ExportProtocol protocol,
    TransportProtocol transport,
    Duration templateRefresh,
    int templateRefreshPackets,
    int maxMessageSize,
    long observationDomainId,
    boolean sequenceCountsOptions) {

  /**
   * Checks ranges, that TCP goes with IPFIX only, and that the collector is a real address.
   *
   * @throws InvalidSettingException naming the key
   */
  public CollectorConfig {
    Check.present("collector", collector);
    Check.present("protocol", protocol);
    Check.present("transport", transport);
    Check.range(
        "template-refresh",
        templateRefresh,
        CollectorOptions.MIN_TEMPLATE_REFRESH,
        CollectorOptions.MAX_TEMPLATE_REFRESH);
    Check.range(
        "template-refresh-packets",
        templateRefreshPackets,
        CollectorOptions.MIN_TEMPLATE_REFRESH_PACKETS,
        CollectorOptions.MAX_TEMPLATE_REFRESH_PACKETS);
    Check.range(
        "max-message-size",
        maxMessageSize,
        CollectorOptions.MIN_MAX_MESSAGE_SIZE,
        CollectorOptions.MAX_MAX_MESSAGE_SIZE);
    Check.range(
        "observation-domain-id",
        observationDomainId,
        0,
        protocol == ExportProtocol.NETFLOW_V5
            ? CollectorOptions.MAX_V5_ENGINE_ID
            : CollectorOptions.MAX_OBSERVATION_DOMAIN_ID);
    if (collector.port() == 0) {
      throw new InvalidSettingException("collector", "port 0 is not a collector's port");
    }
    if (collector.isUnspecified()) {
      throw new InvalidSettingException(
          "collector", collector.host() + " is not a collector's address");
    }
    if (transport == TransportProtocol.TCP && protocol != ExportProtocol.IPFIX) {
      throw new InvalidSettingException(
          List.of("transport", "protocol"),
          "tcp is only for ipfix (" + protocol.label() + " is sent over udp)");
    }
  }

  /** A collector at {@code collector} with every other setting at its default. */
  public static CollectorConfig of(HostPort collector) {
    return new CollectorConfig(
        collector,
        CollectorOptions.DEFAULT_PROTOCOL,
        CollectorOptions.DEFAULT_TRANSPORT,
        CollectorOptions.DEFAULT_TEMPLATE_REFRESH,
        CollectorOptions.DEFAULT_TEMPLATE_REFRESH_PACKETS,
        CollectorOptions.DEFAULT_MAX_MESSAGE_SIZE,
        CollectorOptions.DEFAULT_OBSERVATION_DOMAIN_ID,
        CollectorOptions.DEFAULT_OPTIONS_RECORDS_IN_SEQUENCE);
  }
}
