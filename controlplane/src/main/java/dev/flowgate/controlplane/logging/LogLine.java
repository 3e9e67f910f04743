package dev.flowgate.controlplane.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One log event as one line. For the journal ({@code JOURNAL_STREAM} set by systemd) the line
 * starts with its syslog priority and has no timestamp (journald stamps it):
 *
 * <pre>{@code <4>InterfaceManager: interface entry wg0: no interface wg0 in this network namespace}
 * </pre>
 *
 * otherwise with an ISO-8601 timestamp and the level:
 *
 * <pre>{@code 2026-12-03T01:30:00.123+00:00 WARN InterfaceManager: interface entry wg0: ...}</pre>
 *
 * A line break inside the message (a verifier log, say) becomes {@code " | "}; an exception adds
 * its class and message, and those of its causes, on the same line.
 */
public final class LogLine extends LayoutBase<ILoggingEvent> {
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneId.systemDefault());

  private final boolean journal;

  /**
   * @param journal priority prefix and no timestamp (journald), else ISO-8601 timestamps
   */
  public LogLine(boolean journal) {
    this.journal = journal;
  }

  /** The syslog priority of a level: error 3, warn 4, info 6, debug and trace 7. */
  static int priority(Level level) {
    return switch (level.toInt()) {
      case Level.ERROR_INT -> 3;
      case Level.WARN_INT -> 4;
      case Level.INFO_INT -> 6;
      default -> 7;
    };
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder b = new StringBuilder(128);
    if (journal) {
      b.append('<').append(priority(event.getLevel())).append('>');
    } else {
      ISO.formatTo(Instant.ofEpochMilli(event.getTimeStamp()), b);
      b.append(' ').append(event.getLevel().toString()).append(' ');
    }
    b.append(shortName(event.getLoggerName())).append(": ");
    oneLine(b, event.getFormattedMessage());
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      b.append(t == event.getThrowableProxy() ? " [" : "; caused by ");
      b.append(t.getClassName());
      if (t.getMessage() != null) {
        b.append(": ");
        oneLine(b, t.getMessage());
      }
      if (t.getCause() == null) {
        b.append(']');
      }
    }
    return b.append('\n').toString();
  }

  /** The class name without its package: {@code InterfaceManager}, {@code io.netty...} kept. */
  static String shortName(String logger) {
    if (logger == null) {
      return "";
    }
    return logger.startsWith("dev.flowgate.")
        ? logger.substring(logger.lastIndexOf('.') + 1)
        : logger;
  }

  private static void oneLine(StringBuilder b, String text) {
    if (text == null) {
      return;
    }
    String s = text.strip();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r') {
        continue;
      }
      if (c == '\n') {
        b.append(" | ");
      } else {
        b.append(c);
      }
    }
  }
}
