package dev.flowgate.controlplane.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration, found through {@code META-INF/services} before Logback looks for any
 * file: one console appender (stderr) with {@link LogLine}, the journal format when {@code
 * JOURNAL_STREAM} is set; level info; levels propagated to java.util.logging so bridged JUL records
 * are not built only to be dropped. No logback.xml is read.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
  /** The environment variable systemd sets when stdout/stderr go to the journal. */
  public static final String JOURNAL_STREAM = "JOURNAL_STREAM";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    LevelChangePropagator jul = new LevelChangePropagator();
    jul.setContext(context);
    jul.setResetJUL(true);
    jul.start();
    context.addListener(jul);

    boolean journal = System.getenv(JOURNAL_STREAM) != null;
    LogLine layout = new LogLine(journal);
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("stderr");
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(console);
    root.setLevel(Level.INFO);
    for (String name : Logging.LIBRARIES) {
      context.getLogger(name).setLevel(Level.WARN); // until setLevel: no allocator chatter
    }
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
