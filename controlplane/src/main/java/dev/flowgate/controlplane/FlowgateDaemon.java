package dev.flowgate.controlplane;

import dev.flowgate.bpf.BpfException;
import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.bpf.SystemdNotify;
import dev.flowgate.controlplane.api.ApiServer;
import dev.flowgate.controlplane.api.ApiServerOptions;
import dev.flowgate.controlplane.api.MetricsEndpoint;
import dev.flowgate.controlplane.config.ConfigException;
import dev.flowgate.controlplane.config.ConfigLoader;
import dev.flowgate.controlplane.config.FlowgateConfig;
import dev.flowgate.controlplane.metrics.FlowgateMetrics;
import dev.flowgate.controlplane.security.ProcessCapabilities;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * The flowgate process: starts the counting service and the HTTP API, then waits for a signal.
 * SIGTERM or SIGINT: a last drain, every cached flow exported (forcedEnd), exit 0. SIGHUP: the
 * config file is read again and its interface entries applied (the API's changes stay on top);
 * counters are kept. Exit codes: 0 clean stop, 1 runtime failure (a bad config never gets here: the
 * CLI answers it with 2).
 */
public final class FlowgateDaemon {
  private static final Logger LOG = Logger.getLogger(FlowgateDaemon.class.getName());

  private final FlowgateConfig config;
  private final Path configPath;
  private final CountDownLatch stop = new CountDownLatch(1);

  /**
   * A daemon for a loaded config.
   *
   * @param config the validated configuration
   * @param configPath the file it came from (reloaded on SIGHUP)
   */
  public FlowgateDaemon(FlowgateConfig config, Path configPath) {
    this.config = config;
    this.configPath = configPath;
  }

  /**
   * Runs until stopped.
   *
   * @return the process exit code: 0 after a clean stop, 1 after a runtime failure
   */
  public int run() {
    if (!NativeBpf.isAvailable()) {
      System.err.println(
          "flowgate: cannot load the BPF support library: " + NativeBpf.unavailabilityCause());
      return 1;
    }
    FlowgateService service;
    FlowgateMetrics metrics;
    try {
      service = new FlowgateService(config);
      metrics = service.metrics().map(source -> new FlowgateMetrics(source, true)).orElse(null);
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
      LOG.log(Level.FINE, "start failure", e);
      return 1;
    }
    Vertx vertx = Vertx.vertx();
    ApiServer api = null;
    try {
      ApiServerOptions options =
          new ApiServerOptions()
              .setHost(config.api().listen().host())
              .setPort(config.api().listen().port())
              .setMetricsPublic(config.metrics().open());
      config.api().tokenFile().ifPresent(options::setTokenFile);
      config.api().tls().ifPresent(t -> options.setTls(t.cert(), t.key()));
      api =
          new ApiServer(
              vertx,
              service.backend(),
              options,
              metrics == null ? null : MetricsEndpoint.fromScrape(metrics::scrape));
      int port = api.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      LOG.info("API listening on " + config.api().listen().host() + ":" + port);
      installSignals(service);
      notifySystemd(
          "READY=1\nSTATUS=counting on "
              + service.attached().size()
              + " interface(s), API on port "
              + port);
      service.subscribe(result -> notifySystemd("WATCHDOG=1"));
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
          LOG.log(Level.WARNING, "API stop", e);
        }
      }
      service.close();
      vertx.close();
    }
  }

  private void installSignals(FlowgateService service) {
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    Signal.handle(
        new Signal("HUP"),
        s -> {
          try {
            FlowgateConfig fresh = ConfigLoader.load(configPath);
            service.edits().reload(fresh.interfaces());
            LOG.info("reloaded " + configPath);
          } catch (ConfigException e) {
            LOG.warning("SIGHUP: config not reloaded: " + e.getMessage());
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "SIGHUP: reload failed", e);
          }
        });
  }

  private static void notifySystemd(String state) {
    if (System.getenv("NOTIFY_SOCKET") == null) {
      return;
    }
    try {
      SystemdNotify.notify(state);
    } catch (RuntimeException e) {
      LOG.fine("sd_notify: " + e.getMessage());
    }
  }
}
