package dev.flowgate.controlplane;

import dev.flowgate.bpf.BpfException;
import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.controlplane.api.ApiServer;
import dev.flowgate.controlplane.api.ApiServerOptions;
import dev.flowgate.controlplane.api.MetricsEndpoint;
import dev.flowgate.controlplane.config.ConfigException;
import dev.flowgate.controlplane.config.ConfigLoader;
import dev.flowgate.controlplane.config.FlowgateConfig;
import dev.flowgate.controlplane.config.LogLevel;
import dev.flowgate.controlplane.logging.Logging;
import dev.flowgate.controlplane.metrics.FlowgateMetrics;
import dev.flowgate.controlplane.security.ProcessCapabilities;
import dev.flowgate.os.SystemdNotify;
import io.vertx.core.Vertx;
import dev.flowgate.controlplane.api.TokenFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The flowgate process: starts the counting service and the HTTP API, then waits for a signal.
 * SIGTERM or SIGINT: a last drain, every cached flow exported (forcedEnd), exit 0. SIGHUP: the
 * config file is read again, checked whole, and every key that can change live is applied (see
 * {@link #reload}); counters are kept. After each sweep, systemd hears {@code WATCHDOG=1} and a
 * {@code STATUS=} line ({@link SystemdStatus}). Exit codes: 0 clean stop, 1 runtime failure (a bad config never gets here: the
 * CLI answers it with 2).
 */
public final class FlowgateDaemon {
  private static final Logger LOG = LoggerFactory.getLogger(FlowgateDaemon.class);

  private final FlowgateConfig config;
  private final Path configPath;
  private final Optional<LogLevel> logLevel;
  private final CountDownLatch stop = new CountDownLatch(1);

  /**
   * A daemon for a loaded config.
   *
   * @param config the validated configuration
   * @param configPath the file it came from (reloaded on SIGHUP)
   * @param logLevel {@code run --log-level}: wins over {@code logging.level}, at start and reload
   */
  public FlowgateDaemon(FlowgateConfig config, Path configPath, Optional<LogLevel> logLevel) {
    this.config = config;
    this.configPath = configPath;
    this.logLevel = logLevel;
  }

  /**
   * Runs until stopped.
   *
   * @return the process exit code: 0 after a clean stop, 1 after a runtime failure
   */
  public int run() {
    Logging.setLevel(logLevel.orElse(config.logging().level()));
    if (!NativeBpf.isAvailable()) {
      System.err.println(
          "flowgate: cannot load the BPF support library: " + NativeBpf.unavailabilityCause());
      return 1;
    }
    FlowgateService service;
    FlowgateMetrics metrics;
    try {
      service = new FlowgateService(config);
      metrics = new FlowgateMetrics(service.metrics(), true);
      service.start();
    } catch (BpfException e) {
      System.err.println(
          "flowgate: "
              + e.getMessage()
              + (e.errno() == 1 ? " (" + ProcessCapabilities.hintForThisProcess() + ")" : ""));
      if (e.detail() != null && !e.detail().isBlank()) {
        System.err.println(e.detail());
      }
      return 1;
    } catch (RuntimeException e) {
      System.err.println("flowgate: cannot start: " + e.getMessage());
      LOG.debug("start failure", e);
      return 1;
    }
    Vertx vertx = Vertx.vertx();
    ApiServer api = null;
    try {
      api =
          new ApiServer(
              vertx,
              service.backend(),
              apiOptions(config),
              MetricsEndpoint.fromScrape(metrics::scrape));
      int port = api.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      LOG.info("API listening on " + config.api().listen().host() + ":" + port);
      installSignals(service, api);
      notifySystemd(
          "READY=1\nSTATUS=counting on "
              + service.attached().size()
              + " interface(s), API on port "
              + port);
      service.subscribe(
          new SystemdStatus(
              () -> service.attached().size(),
              service::collectors,
              service::restartRequired,
              FlowgateDaemon::notifySystemd));
      stop.await();
      notifySystemd("STOPPING=1");
      LOG.info("stopping: last drain and export");
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (Exception e) {
      System.err.println("flowgate: " + (e.getCause() != null ? e.getCause() : e));
      return 1;
    } finally {
      if (api != null) {
        try {
          api.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
          LOG.warn("API stop", e);
        }
      }
      service.close();
      vertx.close();
    }
  }

  private static ApiServerOptions apiOptions(FlowgateConfig config) {
    ApiServerOptions options =
        new ApiServerOptions()
            .setHost(config.api().listen().host())
            .setPort(config.api().listen().port())
            .setMetricsEnabled(config.metrics().enabled())
            .setMetricsPublic(config.metrics().open());
    config.api().tokenFile().ifPresent(options::setTokenFile);
    config.api().tls().ifPresent(t -> options.setTls(t.cert(), t.key()));
    return options;
  }

  private void installSignals(FlowgateService service, ApiServer api) {
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    Signal.handle(new Signal("HUP"), s -> reload(service, api));
  }

  /**
   * SIGHUP: the file is read and checked whole (a bad one, or an unusable token file, is refused
   * and the running config stays), then every key that can change live is applied; the keys that
   * need a restart are named in one log line (and in /api/v1/status).
   */
  private void reload(FlowgateService service, ApiServer api) {
    FlowgateConfig fresh;
    try {
      fresh = ConfigLoader.load(configPath);
      if (fresh.api().tokenFile().isPresent()) {
        ApiServer.checkTokenFile(fresh.api().tokenFile().get());
      }
    } catch (ConfigException | TokenFileException e) {
      LOG.warn("reload refused, the running config stays: " + e.getMessage());
      return;
    }
    try {
      List<String> restart = service.reload(fresh);
      Logging.setLevel(logLevel.orElse(fresh.logging().level()));
      api.reload(apiOptions(fresh))
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      if (!restart.isEmpty()) {
        LOG.warn(
            "reloaded "
                + configPath
                + "; these keys keep their running value until a restart: "
                + String.join(", ", restart));
      } else {
        LOG.info("reloaded " + configPath);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("reload of " + configPath + " failed part way", e);
    }
  }

  private static void notifySystemd(String state) {
    if (System.getenv("NOTIFY_SOCKET") == null) {
      return;
    }
    try {
      SystemdNotify.notify(state);
    } catch (RuntimeException e) {
      LOG.debug("sd_notify: " + e.getMessage());
    }
  }
}
