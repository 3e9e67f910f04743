package dev.flowgate.exporters.collector;

import dev.flowgate.exporters.spool.SinkSpool;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One entry of {@code export.ipfix} in the config: where and how to export. Every default and bound
 * is a named constant here, and only here (the config's {@code CollectorConfig} refers to them);
 * setters check their value and say what was wrong ({@link IllegalArgumentException}); {@link
 * #validate()} checks the combination. Mutable while the config is read; {@link CollectorExporter}
 * takes a copy.
 */
public final class CollectorOptions {

  /** Default protocol: IPFIX. */
  public static final ExportProtocol DEFAULT_PROTOCOL = ExportProtocol.IPFIX;

  /** Default transport: UDP. */
  public static final TransportProtocol DEFAULT_TRANSPORT = TransportProtocol.UDP;

  /** Default time between template refreshes over UDP: 60 s. */
  public static final Duration DEFAULT_TEMPLATE_REFRESH = Duration.ofSeconds(60);

  /** Shortest template-refresh: 1 s. */
  public static final Duration MIN_TEMPLATE_REFRESH = Duration.ofSeconds(1);

  /** Longest template-refresh: 24 h. */
  public static final Duration MAX_TEMPLATE_REFRESH = Duration.ofHours(24);

  /** Default data messages between template refreshes over UDP: 20. */
  public static final int DEFAULT_TEMPLATE_REFRESH_PACKETS = 20;

  /** Lowest template-refresh-packets: 0, templates again by time only. */
  public static final int MIN_TEMPLATE_REFRESH_PACKETS = 0;

  /** Highest template-refresh-packets: 1,000,000 messages. */
  public static final int MAX_TEMPLATE_REFRESH_PACKETS = 1_000_000;

  /** Default largest message: 1400 bytes of UDP payload (fits a 1500 MTU with tunnels). */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 1400;

  /** Default observation domain id (v9 source id, v5 engine id): 1. */
  public static final long DEFAULT_OBSERVATION_DOMAIN_ID = 1;

  /** Largest observation-domain-id: 4294967295 (32 bits; IPFIX and NetFlow v9). */
  public static final long MAX_OBSERVATION_DOMAIN_ID = 0xFFFF_FFFFL;

  /** Largest observation-domain-id with NetFlow v5: 255 (the 8-bit engine id). */
  public static final long MAX_V5_ENGINE_ID = 255;

  /** Default messages held while the collector is slow or down: 1024 (about 1.4 MB). */
  public static final int DEFAULT_QUEUE_CAPACITY = 1024;

  /** Default time {@link CollectorExporter#close()} waits to deliver what is queued: 5 s. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Default for whether options data records advance the IPFIX sequence number: true, as RFC 7011
   * section 3.1 counts every Data Record. nfdump 1.7 counts only flow records and reports one
   * sequence error per template refresh unless this is false.
   */
  public static final boolean DEFAULT_OPTIONS_RECORDS_IN_SEQUENCE = true;

  /** Smallest max-message-size: 512 bytes (holds the template message of every protocol). */
  public static final int MIN_MAX_MESSAGE_SIZE = 512;

  /** Largest max-message-size: 65507, the most UDP payload an IPv4 datagram holds. */
  public static final int MAX_MAX_MESSAGE_SIZE = 65507;

  private String host;
  private int port;
  private ExportProtocol protocol = DEFAULT_PROTOCOL;
  private TransportProtocol transport = DEFAULT_TRANSPORT;
  private Duration templateRefresh = DEFAULT_TEMPLATE_REFRESH;
  private int templateRefreshPackets = DEFAULT_TEMPLATE_REFRESH_PACKETS;
  private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
  private long observationDomainId = DEFAULT_OBSERVATION_DOMAIN_ID;
  private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
  private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
  private boolean optionsRecordsInSequence = DEFAULT_OPTIONS_RECORDS_IN_SEQUENCE;
  private Path spoolDirectory;
  private long spoolLimit = SinkSpool.DEFAULT_LIMIT_BYTES;

  /** Options with every default and no collector yet. */
  public CollectorOptions() {}

  /** A copy of {@code other}. */
  public CollectorOptions(CollectorOptions other) {
    host = other.host;
    port = other.port;
    protocol = other.protocol;
    transport = other.transport;
    templateRefresh = other.templateRefresh;
    templateRefreshPackets = other.templateRefreshPackets;
    maxMessageSize = other.maxMessageSize;
    observationDomainId = other.observationDomainId;
    queueCapacity = other.queueCapacity;
    closeTimeout = other.closeTimeout;
    optionsRecordsInSequence = other.optionsRecordsInSequence;
    spoolDirectory = other.spoolDirectory;
    spoolLimit = other.spoolLimit;
  }

  /**
   * The config key {@code collector}: {@code host:port}, {@code [v6addr]:port} or a name.
   *
   * @throws IllegalArgumentException if there is no port or it is not 1..65535
   */
  public CollectorOptions collector(String hostPort) {
    Objects.requireNonNull(hostPort, "collector");
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("collector must be host:port, not '" + hostPort + "'");
    }
    String h = hostPort.substring(0, colon);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    } else if (h.contains(":")) {
      throw new IllegalArgumentException(
          "collector: write an IPv6 address as [addr]:port, not '" + hostPort + "'");
    }
    int p;
    try {
      p = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("collector port is not a number in '" + hostPort + "'");
    }
    return collector(h, p);
  }

  /** The collector as host and port (1..65535). */
  public CollectorOptions collector(String host, int port) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("collector host is empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("collector port must be 1..65535, not " + port);
    }
    this.host = host;
    this.port = port;
    return this;
  }

  /** The config key {@code protocol}. */
  public CollectorOptions protocol(ExportProtocol protocol) {
    this.protocol = Objects.requireNonNull(protocol, "protocol");
    return this;
  }

  /** The config key {@code transport}; TCP needs protocol IPFIX (checked by {@link #validate}). */
  public CollectorOptions transport(TransportProtocol transport) {
    this.transport = Objects.requireNonNull(transport, "transport");
    return this;
  }

  /** The config key {@code template-refresh}: 1 s..24 h. */
  public CollectorOptions templateRefresh(Duration every) {
    if (every == null
        || every.compareTo(MIN_TEMPLATE_REFRESH) < 0
        || every.compareTo(MAX_TEMPLATE_REFRESH) > 0) {
      throw new IllegalArgumentException("template-refresh must be 1s..24h, not " + every);
    }
    this.templateRefresh = every;
    return this;
  }

  /**
   * The config key {@code template-refresh-packets}: templates again after this many data messages;
   * 0 = by {@code template-refresh} time only; at most {@value #MAX_TEMPLATE_REFRESH_PACKETS}.
   */
  public CollectorOptions templateRefreshPackets(int packets) {
    if (packets < MIN_TEMPLATE_REFRESH_PACKETS || packets > MAX_TEMPLATE_REFRESH_PACKETS) {
      throw new IllegalArgumentException(
          "template-refresh-packets must be 0 (by time only) to "
              + MAX_TEMPLATE_REFRESH_PACKETS
              + ", not "
              + packets);
    }
    this.templateRefreshPackets = packets;
    return this;
  }

  /**
   * The config key {@code max-message-size}: {@value #MIN_MAX_MESSAGE_SIZE}..{@value
   * #MAX_MAX_MESSAGE_SIZE}.
   */
  public CollectorOptions maxMessageSize(int bytes) {
    if (bytes < MIN_MAX_MESSAGE_SIZE || bytes > MAX_MAX_MESSAGE_SIZE) {
      throw new IllegalArgumentException(
          "max-message-size must be "
              + MIN_MAX_MESSAGE_SIZE
              + ".."
              + MAX_MAX_MESSAGE_SIZE
              + ", not "
              + bytes);
    }
    this.maxMessageSize = bytes;
    return this;
  }

  /**
   * The config key {@code observation-domain-id}: 0..4294967295; NetFlow v5 allows 0..255 (checked
   * by {@link #validate}).
   */
  public CollectorOptions observationDomainId(long id) {
    if (id < 0 || id > MAX_OBSERVATION_DOMAIN_ID) {
      throw new IllegalArgumentException("observation-domain-id must be 0..4294967295, not " + id);
    }
    this.observationDomainId = id;
    return this;
  }

  /** Messages held for the sender; when full the oldest is dropped and counted. At least 1. */
  public CollectorOptions queueCapacity(int messages) {
    if (messages < 1) {
      throw new IllegalArgumentException("queue capacity must be at least 1, not " + messages);
    }
    this.queueCapacity = messages;
    return this;
  }

  /** How long close() may spend delivering queued messages; zero or more. */
  public CollectorOptions closeTimeout(Duration timeout) {
    if (timeout == null || timeout.isNegative()) {
      throw new IllegalArgumentException("close timeout must be zero or more, not " + timeout);
    }
    this.closeTimeout = timeout;
    return this;
  }

  /**
   * IPFIX only: whether options data records (statistics, interface names) advance the sequence
   * number. True follows RFC 7011; false matches collectors that count flow records only (nfdump).
   */
  public CollectorOptions optionsRecordsInSequence(boolean counted) {
    this.optionsRecordsInSequence = counted;
    return this;
  }

  /**
   * The directory of this collector's {@link SinkSpool}: what it is handed waits there until
   * delivered, survives an outage and a restart. Null (the default): no spool, the in-memory queue
   * of {@link #queueCapacity} messages drops the oldest when full.
   */
  public CollectorOptions spoolDirectory(Path directory) {
    this.spoolDirectory = directory;
    return this;
  }

  /** The bound of the spool on disk, in bytes, at least {@link SinkSpool#MIN_LIMIT_BYTES}. */
  public CollectorOptions spoolLimit(long bytes) {
    if (bytes < SinkSpool.MIN_LIMIT_BYTES) {
      throw new IllegalArgumentException(
          "spool limit must be at least " + SinkSpool.MIN_LIMIT_BYTES + " bytes, not " + bytes);
    }
    this.spoolLimit = bytes;
    return this;
  }

  /** The spool's directory, or null for none. */
  public Path spoolDirectory() {
    return spoolDirectory;
  }

  public long spoolLimit() {
    return spoolLimit;
  }

  /**
   * Checks the combination: a collector is set, TCP is only used with IPFIX, and NetFlow v5's
   * engine id fits its 8 bits.
   *
   * @throws IllegalArgumentException naming the problem
   */
  public CollectorOptions validate() {
    if (host == null) {
      throw new IllegalArgumentException("collector is required");
    }
    if (transport == TransportProtocol.TCP && protocol != ExportProtocol.IPFIX) {
      throw new IllegalArgumentException(
          "transport tcp is only for protocol ipfix, not " + protocol.label());
    }
    if (protocol == ExportProtocol.NETFLOW_V5 && observationDomainId > MAX_V5_ENGINE_ID) {
      throw new IllegalArgumentException(
          "observation-domain-id must be 0..255 with netflow-v5 (the engine id), not "
              + observationDomainId);
    }
    return this;
  }

  /** The collector's host (name or address). */
  public String host() {
    return host;
  }

  /** The collector's port. */
  public int port() {
    return port;
  }

  /** {@code host:port} as configured, IPv6 in brackets. */
  public String collector() {
    return host == null ? null : (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  public ExportProtocol protocol() {
    return protocol;
  }

  public TransportProtocol transport() {
    return transport;
  }

  public Duration templateRefresh() {
    return templateRefresh;
  }

  public int templateRefreshPackets() {
    return templateRefreshPackets;
  }

  public int maxMessageSize() {
    return maxMessageSize;
  }

  public long observationDomainId() {
    return observationDomainId;
  }

  public int queueCapacity() {
    return queueCapacity;
  }

  public Duration closeTimeout() {
    return closeTimeout;
  }

  public boolean optionsRecordsInSequence() {
    return optionsRecordsInSequence;
  }

  /**
   * The settings that decide what the collector receives, by their config keys ({@code collector},
   * {@code protocol}, {@code transport}, {@code template-refresh}, {@code
   * template-refresh-packets}, {@code max-message-size}, {@code observation-domain-id}, {@code
   * sequence-counts-options}): what a spool stores so a start without this collector in its config
   * can still deliver to it ({@link #described}).
   */
  public Map<String, String> describe() {
    Map<String, String> m = new TreeMap<>();
    m.put("collector", collector());
    m.put("protocol", protocol.label());
    m.put("transport", transport.label());
    m.put("template-refresh", templateRefresh.toString());
    m.put("template-refresh-packets", Integer.toString(templateRefreshPackets));
    m.put("max-message-size", Integer.toString(maxMessageSize));
    m.put("observation-domain-id", Long.toString(observationDomainId));
    m.put("sequence-counts-options", Boolean.toString(optionsRecordsInSequence));
    return m;
  }

  /**
   * Options from what {@link #describe} wrote (every other option at its default).
   *
   * @throws IllegalArgumentException naming the first key that is missing or wrong
   */
  public static CollectorOptions described(Map<String, String> settings) {
    CollectorOptions o = new CollectorOptions();
    o.collector(required(settings, "collector"));
    o.protocol(
        label(ExportProtocol.values(), required(settings, "protocol"), ExportProtocol::label));
    o.transport(
        label(
            TransportProtocol.values(), required(settings, "transport"), TransportProtocol::label));
    try {
      o.templateRefresh(Duration.parse(required(settings, "template-refresh")));
      o.templateRefreshPackets(Integer.parseInt(required(settings, "template-refresh-packets")));
      o.maxMessageSize(Integer.parseInt(required(settings, "max-message-size")));
      o.observationDomainId(Long.parseLong(required(settings, "observation-domain-id")));
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException("collector settings: " + e.getMessage(), e);
    }
    o.optionsRecordsInSequence(Boolean.parseBoolean(required(settings, "sequence-counts-options")));
    return o.validate();
  }

  private static String required(Map<String, String> settings, String key) {
    String v = settings.get(key);
    if (v == null) {
      throw new IllegalArgumentException("collector settings lack " + key);
    }
    return v;
  }

  private static <E> E label(E[] values, String label, Function<E, String> labelOf) {
    for (E e : values) {
      if (labelOf.apply(e).equals(label)) {
        return e;
      }
    }
    throw new IllegalArgumentException("collector settings: unknown value '" + label + "'");
  }

  @Override
  public String toString() {
    return collector() + " " + protocol.label() + "/" + transport.label();
  }
}
