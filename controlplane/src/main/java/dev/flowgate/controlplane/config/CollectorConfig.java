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
 * @param packetSamples IPFIX only: also send every sampled packet as a PSAMP record (RFC 5476)
 * @param samplesObservationDomainId the observation domain the packet samples go under, apart from
 *     the flows' (a collector that files every record with an interface as a flow, as nfdump does,
 *     keeps its flow totals)
 */
public record CollectorConfig(
    HostPort collector,
    ExportProtocol protocol,
    TransportProtocol transport,
    Duration templateRefresh,
    int templateRefreshPackets,
    int maxMessageSize,
    long observationDomainId,
    boolean sequenceCountsOptions,
    boolean packetSamples,
    long samplesObservationDomainId) {

  /** Default packet-samples: false, flows only. */
  public static final boolean DEFAULT_PACKET_SAMPLES = false;

  /** Default samples-observation-domain-id: 2 (it must differ from observation-domain-id). */
  public static final long DEFAULT_SAMPLES_OBSERVATION_DOMAIN_ID = 2;

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
    Check.range(
        "samples-observation-domain-id",
        samplesObservationDomainId,
        0,
        CollectorOptions.MAX_OBSERVATION_DOMAIN_ID);
    if (packetSamples && protocol != ExportProtocol.IPFIX) {
      throw new InvalidSettingException(
          List.of("packet-samples", "protocol"),
          "packet samples are PSAMP over IPFIX (" + protocol.label() + " cannot carry them)");
    }
    if (packetSamples && samplesObservationDomainId == observationDomainId) {
      throw new InvalidSettingException(
          List.of("samples-observation-domain-id", "observation-domain-id"),
          "packet samples need an observation domain of their own (both are "
              + observationDomainId
              + ")");
    }
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

  /** A collector without packet samples. */
  public CollectorConfig(
      HostPort collector,
      ExportProtocol protocol,
      TransportProtocol transport,
      Duration templateRefresh,
      int templateRefreshPackets,
      int maxMessageSize,
      long observationDomainId,
      boolean sequenceCountsOptions) {
    this(
        collector,
        protocol,
        transport,
        templateRefresh,
        templateRefreshPackets,
        maxMessageSize,
        observationDomainId,
        sequenceCountsOptions,
        DEFAULT_PACKET_SAMPLES,
        DEFAULT_SAMPLES_OBSERVATION_DOMAIN_ID);
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
