package dev.flowgate.exporters.collector;

/**
 * Decides when the templates (and the options records that go with them) must be sent: before the
 * first data of each transport session, after a send error (the collector may have restarted and
 * forgotten them), and over UDP every {@code template-refresh} or every {@code
 * template-refresh-packets} data messages (0: by time only), whichever comes first (RFC 7011
 * section 8.4, RFC 3954 section 5.2). Over TCP templates are sent once per connection (RFC 7011
 * section 8.1).
 */
final class TemplateRefresher {

  private final boolean periodic;
  private final long refreshMillis;
  private final int refreshPackets;
  private boolean needed = true;
  private long lastSentMillis;
  private int dataMessagesSince;

  TemplateRefresher(boolean periodic, long refreshMillis, int refreshPackets) {
    this.periodic = periodic;
    this.refreshMillis = refreshMillis;
    this.refreshPackets = refreshPackets;
  }

  /** True if templates must precede the next data message sent at {@code nowMillis}. */
  boolean due(long nowMillis) {
    return needed
        || (periodic
            && (nowMillis - lastSentMillis >= refreshMillis
                || (refreshPackets > 0 && dataMessagesSince >= refreshPackets)));
  }

  /** The templates went out at {@code nowMillis}. */
  void sent(long nowMillis) {
    needed = false;
    lastSentMillis = nowMillis;
    dataMessagesSince = 0;
  }

  /** A data message went out. */
  void dataSent() {
    dataMessagesSince++;
  }

  /** A new session or a send error: templates again before the next data. */
  void invalidate() {
    needed = true;
  }
}
