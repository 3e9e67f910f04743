package dev.flowgate.controlplane.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.flowgate.controlplane.config.LogLevel;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The one logging stack: SLF4J 2 with Logback ({@link LogSetup}); java.util.logging (any library
 * that still uses it) bridged in, Vert.x told to use SLF4J. {@link #install()} runs first thing in
 * {@code main}; {@link #setLevel} applies {@code logging.level} and {@code --log-level}.
 */
public final class Logging {
  /** The system property Vert.x reads to pick its logging backend. */
  static final String VERTX_LOGGER = "vertx.logger-delegate-factory-class-name";

  private Logging() {}

  /** Routes JUL and Vert.x through SLF4J; idempotent. Call before Vert.x or Netty load. */
  public static synchronized void install() {
    System.setProperty(VERTX_LOGGER, "io.vertx.core.logging.SLF4JLogDelegateFactory");
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger(); // JUL's own ConsoleHandler: no doubles
      SLF4JBridgeHandler.install();
    }
    LoggerFactory.getILoggerFactory(); // Logback configures itself now, not mid-start
  }

  /** Libraries whose info and debug lines are chatter to an operator (Arrow's allocator setup). */
  static final String[] LIBRARIES = {"org.apache.arrow", "io.netty", "io.vertx", "org.apache.kafka"};

  /**
   * Sets the least severe level logged. The libraries log their warnings and errors at any level
   * but trace, and all of it at trace.
   */
  public static void setLevel(LogLevel level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(toLogback(level));
      Level libraries =
          level == LogLevel.TRACE
              ? Level.TRACE
              : level == LogLevel.ERROR ? Level.ERROR : Level.WARN;
      for (String name : LIBRARIES) {
        context.getLogger(name).setLevel(libraries);
      }
    }
  }

  static Level toLogback(LogLevel level) {
    return switch (level) {
      case ERROR -> Level.ERROR;
      case WARN -> Level.WARN;
      case INFO -> Level.INFO;
      case DEBUG -> Level.DEBUG;
      case TRACE -> Level.TRACE;
    };
  }
}
