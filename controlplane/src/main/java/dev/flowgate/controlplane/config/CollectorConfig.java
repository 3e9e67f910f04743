package dev.flowgate.controlplane.config;

import java.time.Duration;
import java.util.List;

/**
 * One {@code export.ipfix:} entry: a collector and how to talk to it.
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
    ExportTransport transport,
    Duration templateRefresh,
    int templateRefreshPackets,
    int maxMessageSize,
    long observationDomainId,
    boolean sequenceCountsOptions,
    boolean packetSamples,
    long samplesObservationDomainId) {

  /** Default protocol: ipfix. */
  public static final ExportProtocol DEFAULT_PROTOCOL = ExportProtocol.IPFIX;

  /** Default transport: udp. */
  public static final ExportTransport DEFAULT_TRANSPORT = ExportTransport.UDP;

  /** Default template-refresh: 60s between template resends. */
  public static final Duration DEFAULT_TEMPLATE_REFRESH = Duration.ofSeconds(60);

  /** Shortest template-refresh: 1s. */
  public static final Duration MIN_TEMPLATE_REFRESH = Duration.ofSeconds(1);

  /** Longest template-refresh: 24h. */
  public static final Duration MAX_TEMPLATE_REFRESH = Duration.ofHours(24);

  /** Default template-refresh-packets: templates resent every 20 messages. */
  public static final int DEFAULT_TEMPLATE_REFRESH_PACKETS = 20;

  /** Lowest template-refresh-packets: 0, resend by time only. */
  public static final int MIN_TEMPLATE_REFRESH_PACKETS = 0;

  /** Highest template-refresh-packets: 1000000 messages. */
  public static final int MAX_TEMPLATE_REFRESH_PACKETS = 1_000_000;

  /** Default max-message-size: 1400 bytes, fits a 1500-byte MTU with IP and UDP headers. */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 1400;

  /** Smallest max-message-size: 512 bytes. */
  public static final int MIN_MAX_MESSAGE_SIZE = 512;

  /** Largest max-message-size: 65507 bytes, the largest UDP payload over IPv4. */
  public static final int MAX_MAX_MESSAGE_SIZE = 65_507;

  /** Default sequence-counts-options: true, RFC 7011 (options records are data records). */
  public static final boolean DEFAULT_SEQUENCE_COUNTS_OPTIONS = true;

  /** Default observation-domain-id: 1. */
  public static final long DEFAULT_OBSERVATION_DOMAIN_ID = 1;

  /** Largest observation-domain-id: 4294967295 (32 bits; IPFIX and NetFlow v9). */
  public static final long MAX_OBSERVATION_DOMAIN_ID = 0xFFFF_FFFFL;

  /** Default packet-samples: false, flows only. */
  public static final boolean DEFAULT_PACKET_SAMPLES = false;

  /** Default samples-observation-domain-id: 2 (it must differ from observation-domain-id). */
  public static final long DEFAULT_SAMPLES_OBSERVATION_DOMAIN_ID = 2;

  /** Largest observation-domain-id with netflow-v5: 255 (the 8-bit engine id). */
  public static final long MAX_V5_ENGINE_ID = 255;

  /**
   * Checks ranges, that TCP goes with IPFIX only, and that the collector is a real address.
   *
   * @throws InvalidSettingException naming the key
   */
  public CollectorConfig {
    Check.present("collector", collector);
    Check.present("protocol", protocol);
    Check.present("transport", transport);
    Check.range("template-refresh", templateRefresh, MIN_TEMPLATE_REFRESH, MAX_TEMPLATE_REFRESH);
    Check.range(
        "template-refresh-packets",
        templateRefreshPackets,
        MIN_TEMPLATE_REFRESH_PACKETS,
        MAX_TEMPLATE_REFRESH_PACKETS);
    Check.range("max-message-size", maxMessageSize, MIN_MAX_MESSAGE_SIZE, MAX_MAX_MESSAGE_SIZE);
    Check.range(
        "observation-domain-id",
        observationDomainId,
        0,
        protocol == ExportProtocol.NETFLOW_V5 ? MAX_V5_ENGINE_ID : MAX_OBSERVATION_DOMAIN_ID);
    Check.range(
        "samples-observation-domain-id", samplesObservationDomainId, 0, MAX_OBSERVATION_DOMAIN_ID);
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
    if (transport == ExportTransport.TCP && protocol != ExportProtocol.IPFIX) {
      throw new InvalidSettingException(
          List.of("transport", "protocol"),
          "tcp is only for ipfix (" + protocol.label() + " is sent over udp)");
    }
  }

  /** A collector without packet samples. */
  public CollectorConfig(
      HostPort collector,
      ExportProtocol protocol,
      ExportTransport transport,
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
        DEFAULT_PROTOCOL,
        DEFAULT_TRANSPORT,
        DEFAULT_TEMPLATE_REFRESH,
        DEFAULT_TEMPLATE_REFRESH_PACKETS,
        DEFAULT_MAX_MESSAGE_SIZE,
        DEFAULT_OBSERVATION_DOMAIN_ID,
        DEFAULT_SEQUENCE_COUNTS_OPTIONS);
  }
}
