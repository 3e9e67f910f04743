package dev.flowgate.controlplane.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.lab.FrameSender;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Type=notify contract of the unit, against a real flowgate process and a datagram socket this
 * test owns as NOTIFY_SOCKET: READY=1 with a one-line STATUS= only once the interfaces are attached
 * and the API listens, WATCHDOG=1 with a fresh STATUS= line after every sweep (so WatchdogSec=
 * restarts a stuck sweeper, and systemctl status shows the counts and what is wrong), STOPPING=1 on
 * SIGTERM.
 */
@Timeout(180)
class SystemdNotifyTest {
  private Lab lab;
  private VethPair veth;
  private Path dir;

  @BeforeEach
  void lab() {
    lab = Lab.open();
    veth = lab.quietVeth(Netns.HOST, lab.netns());
    dir = lab.tempDir();
  }

  @AfterEach
  void cleanup() {
    lab.close();
  }

  @Test
  void readyAfterAttachAndListenThenWatchdogAfterSweepsThenStopping() throws Exception {
    int port = ServiceProcess.freePort();
    Path config = dir.resolve("flowgate.yaml");
    Files.writeString(
        config,
        """
        interfaces:
          - {name: %s, mode: xdp, direction: ingress, sampling: 0}
        flows: {max-flows: 4096, sweep-interval: 200ms, idle-timeout: 2s}
        dataplane: {pin-path: %s, keep-attached: false}
        state-directory: %s
        api: {listen: "127.0.0.1:%d"}
        """
            .formatted(veth.a().name(), lab.pinDir(), dir.resolve("state"), port));
    Path socket = dir.resolve("notify.sock");
    try (NotifyListener systemd = NotifyListener.open(socket);
        ServiceProcess fg =
            ServiceProcess.launch(
                ServiceProcess.command(List.of(), PackagedJars.classpath(), config),
                Map.of("NOTIFY_SOCKET", socket.toString()),
                port,
                dir.resolve("fg.log"))) {
      String ready = systemd.next(90);
      assertThat(ready.split("\\|"))
          .as(fg.log())
          .containsExactly("READY=1", "STATUS=counting on 1 interface(s), API on port " + port);
      // READY came after the API listened and the interface was attached: no retry needed
      assertThat(fg.get("/healthz").statusCode()).isEqualTo(200);
      assertThat(fg.json("/api/v1/interfaces").toString()).contains(veth.a().name());

      for (int i = 0; i < 3; i++) {
        assertThat(systemd.next(30))
            .matches(
                "WATCHDOG=1\\|STATUS=1 interface, 0 flows, no collectors, last sweep \\d+\\.\\d ms");
      }
      Thread stopper =
          new Thread(
              () -> {
                try {
                  assertThat(fg.stop()).isZero();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      stopper.start();
      List<String> tail = systemd.until("STOPPING=1", 60);
      assertThat(tail.subList(0, tail.size() - 1)).allMatch(m -> m.startsWith("WATCHDOG=1|"));
      stopper.join(60_000);
      assertThat(fg.isAlive()).isFalse();
    }
  }

  @Test
  void statusNamesAFailingCollector() throws Exception {
    int port = ServiceProcess.freePort();
    int closed = ServiceProcess.freePort(); // nothing listens: every connect is refused
    Path config = dir.resolve("flowgate.yaml");
    Files.writeString(
        config,
        """
        interfaces:
          - {name: %s, mode: xdp, direction: ingress, sampling: 0}
        flows: {max-flows: 4096, sweep-interval: 200ms, idle-timeout: 2s}
        dataplane: {pin-path: %s, keep-attached: false}
        state-directory: %s
        export:
          ipfix:
            - {collector: "127.0.0.1:%d", protocol: ipfix, transport: tcp}
        api: {listen: "127.0.0.1:%d"}
        """
            .formatted(veth.a().name(), lab.pinDir(), dir.resolve("state"), closed, port));
    Path socket = dir.resolve("notify.sock");
    try (NotifyListener systemd = NotifyListener.open(socket);
        ServiceProcess fg =
            ServiceProcess.launch(
                ServiceProcess.command(List.of(), PackagedJars.classpath(), config),
                Map.of("NOTIFY_SOCKET", socket.toString()),
                port,
                dir.resolve("fg.log"))) {
      List<String> got = systemd.until("READY=1", 90);
      // a flow to export: the exporter then tries the collector
      FrameSender.send(
          veth.b(),
          List.of(
              Frames.ipv4("10.9.0.1", "10.9.0.2")
                  .macs(veth.b().mac(), veth.a().mac())
                  .tcp(40000, 443, Frames.TCP_SYN | Frames.TCP_FIN)
                  .build()
                  .bytes()));
      String failing = "collector tcp:127.0.0.1:" + closed + " failing since ";
      String status = "";
      for (int i = 0; i < 100 && !status.contains(failing); i++) {
        status = systemd.next(30);
      }
      assertThat(status)
          .as(fg.log() + got)
          .startsWith("WATCHDOG=1|STATUS=1 interface, ")
          .contains(" 0 collectors ok, last sweep ")
          .contains(failing);
      assertThat(fg.stop()).isZero();
    }
  }
}
