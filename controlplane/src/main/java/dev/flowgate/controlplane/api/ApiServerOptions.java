package dev.flowgate.controlplane.api;

import java.nio.file.Path;
import java.util.Objects;

/** How the API server listens and guards its mutating calls (the config's {@code api:} block). */
public final class ApiServerOptions {

  /** {@value}: the address to listen on; loopback only. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** {@value}: the TCP port to listen on. */
  public static final int DEFAULT_PORT = 9740;

  /** {@value}: the largest request body in bytes (64 KiB); larger ones get 413. */
  public static final long DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

  /** {@value}: mutating calls allowed per second, on average, across all clients. */
  public static final double DEFAULT_MUTATIONS_PER_SECOND = 5.0;

  /** {@value}: mutating calls allowed in a burst before the rate applies. */
  public static final int DEFAULT_MUTATION_BURST = 20;

  /**
   * {@value}: {@code /metrics} needs the token when the API listens beyond loopback, like the other
   * reads that show traffic.
   */
  public static final boolean DEFAULT_METRICS_PUBLIC = false;

  /** {@value}: the largest {@code top} of {@code GET /api/v1/flows}. */
  public static final int MAX_TOP_FLOWS = 10_000;

  /** {@value}: the {@code top} of {@code GET /api/v1/flows} when the query leaves it out. */
  public static final int DEFAULT_TOP_FLOWS = 10;

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private Path tokenFile;
  private Path tlsCertFile;
  private Path tlsKeyFile;
  private long bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES;
  private boolean metricsPublic = DEFAULT_METRICS_PUBLIC;
  private double mutationsPerSecond = DEFAULT_MUTATIONS_PER_SECOND;
  private int mutationBurst = DEFAULT_MUTATION_BURST;

  /** Options with every default. */
  public ApiServerOptions() {}

  /** The address to listen on. */
  public String host() {
    return host;
  }

  /** Sets the address to listen on (an IP literal or a host name). */
  public ApiServerOptions setHost(String host) {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("api host must not be blank");
    }
    this.host = host;
    return this;
  }

  /** The port to listen on; 0 picks a free one (see {@link ApiServer#actualPort()}). */
  public int port() {
    return port;
  }

  /** Sets the port, 0 to 65535; 0 picks a free one. */
  public ApiServerOptions setPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("api port must be 0..65535, was " + port);
    }
    this.port = port;
    return this;
  }

  /** The file holding the bearer token, or null: then every mutating call answers 403. */
  public Path tokenFile() {
    return tokenFile;
  }

  /**
   * Sets the file holding the bearer token (no group write and no access for others, else the
   * server refuses to start); null disables every mutating call and every read beyond loopback.
   */
  public ApiServerOptions setTokenFile(Path tokenFile) {
    this.tokenFile = tokenFile;
    return this;
  }

  /** The PEM certificate chain for HTTPS, or null for plain HTTP. */
  public Path tlsCertFile() {
    return tlsCertFile;
  }

  /** The PEM private key for HTTPS, or null for plain HTTP. */
  public Path tlsKeyFile() {
    return tlsKeyFile;
  }

  /** Serves HTTPS with this PEM certificate chain and key; both null for plain HTTP. */
  public ApiServerOptions setTls(Path certFile, Path keyFile) {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("api tls needs both cert and key, or neither");
    }
    this.tlsCertFile = certFile;
    this.tlsKeyFile = keyFile;
    return this;
  }

  /** The largest request body in bytes. */
  public long bodyLimitBytes() {
    return bodyLimitBytes;
  }

  /** Sets the largest request body in bytes, at least 1. */
  public ApiServerOptions setBodyLimitBytes(long bodyLimitBytes) {
    if (bodyLimitBytes < 1) {
      throw new IllegalArgumentException("api body limit must be >= 1 byte, was " + bodyLimitBytes);
    }
    this.bodyLimitBytes = bodyLimitBytes;
    return this;
  }

  /** Mutating calls allowed per second on average. */
  public double mutationsPerSecond() {
    return mutationsPerSecond;
  }

  /** Mutating calls allowed in a burst. */
  public int mutationBurst() {
    return mutationBurst;
  }

  /**
   * Sets the rate limit of mutating calls: a bucket of {@code burst} calls refilled at {@code
   * perSecond}; a call finding it empty gets 429.
   */
  public ApiServerOptions setMutationRate(double perSecond, int burst) {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("mutations per second must be > 0, was " + perSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("mutation burst must be >= 1, was " + burst);
    }
    this.mutationsPerSecond = perSecond;
    this.mutationBurst = burst;
    return this;
  }

  /** Whether {@code /metrics} is open to scrapers without the token beyond loopback. */
  public boolean metricsPublic() {
    return metricsPublic;
  }

  /**
   * Opens {@code /metrics} without the token when the API listens beyond loopback (on loopback
   * every read is open anyway); false makes Prometheus send it ({@code
   * authorization.credentials_file}).
   */
  public ApiServerOptions setMetricsPublic(boolean metricsPublic) {
    this.metricsPublic = metricsPublic;
    return this;
  }
}
