package dev.flowgate.controlplane.api;

/**
 * The API's settings a reload changes while it listens (SIGHUP, {@link ApiServer#reload}): the
 * bearer token, whether {@code /metrics} is public, whether it is served at all. Read on every
 * request; written by the reload only.
 */
final class LiveSettings {
  private volatile BearerToken token;
  private volatile boolean metricsPublic;
  private volatile boolean metricsEnabled;

  LiveSettings(BearerToken token, boolean metricsPublic, boolean metricsEnabled) {
    this.token = token;
    this.metricsPublic = metricsPublic;
    this.metricsEnabled = metricsEnabled;
  }

  /** The token, or null when no token file is configured. */
  BearerToken token() {
    return token;
  }

  boolean metricsPublic() {
    return metricsPublic;
  }

  boolean metricsEnabled() {
    return metricsEnabled;
  }

  void update(BearerToken token, boolean metricsPublic, boolean metricsEnabled) {
    this.token = token;
    this.metricsPublic = metricsPublic;
    this.metricsEnabled = metricsEnabled;
  }
}
