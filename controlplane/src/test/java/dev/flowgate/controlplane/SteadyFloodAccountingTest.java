package dev.flowgate.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.api.AccountingTerms;
import dev.flowgate.controlplane.config.ConfigLoader;
import dev.flowgate.lab.Lab;
import dev.flowgate.lab.Netns;
import dev.flowgate.lab.VethPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The accounting invariant holds at every sweep while traffic flows, not only at a quiescent point:
 * a trafgen flood (UDP, 1,000 flows round-robin) runs into a veth through 20 sweeps, and after each
 * one {@code kernel = exported + in cache} exactly, with {@code unaccounted 0}, while the kernel
 * term grows from sweep to sweep (traffic really flowed across each swap).
 */
@Tag("kernel")
@Timeout(180)
class SteadyFloodAccountingTest {

  private static final int SWEEPS = 20;

  private Lab lab;
  private VethPair veth;
  private Path dir;
  private Process flood;
  private FlowgateService service;

  @BeforeEach
  void lab() {
    lab = Lab.open();
    veth = lab.quietVeth(Netns.HOST, lab.netns());
    dir = lab.tempDir();
  }

  @AfterEach
  void cleanup() throws Exception {
    if (flood != null) {
      // trafgen forks a sender per CPU and outlives a SIGTERM to its parent: kill them all
      flood.descendants().forEach(ProcessHandle::destroyForcibly);
      flood.destroyForcibly();
      flood.waitFor(10, TimeUnit.SECONDS);
      flood.descendants().forEach(ProcessHandle::destroyForcibly);
    }
    if (service != null) {
      service.close();
    }
    lab.close();
  }

  @Test
  void unaccountedIsZeroAtEverySweepOfASteadyFlood() throws Exception {
    service = new FlowgateService(ConfigLoader.load(config()));
    List<List<AccountingTerms>> seen = new CopyOnWriteArrayList<>();
    CountDownLatch enough = new CountDownLatch(1);
    service.start();
    FlowgateBackend backend = service.backend();
    // subscribed after the accounting: it sees each sweep's published rows
    service.subscribe(
        result -> {
          if (flood != null && flood.isAlive() && seen.size() < SWEEPS + 1) {
            seen.add(backend.status().accounting());
            if (seen.size() == SWEEPS + 1) {
              enough.countDown();
            }
          }
        });
    flood = startFlood();
    assertThat(enough.await(150, TimeUnit.SECONDS)).as("sweeps seen during the flood").isTrue();
    assertThat(flood.isAlive()).as("the flood ran through every sweep").isTrue();

    // the first sweep seen may have started before the flood: the 20 after it ran under traffic
    long previous = kernelPackets(seen.get(0));
    List<String> sweeps = new ArrayList<>();
    for (int i = 1; i <= SWEEPS; i++) {
      List<AccountingTerms> rows = seen.get(i);
      long kernel = kernelPackets(rows);
      sweeps.add("sweep " + i + ": " + rows);
      assertThat(kernel).as("kernel packets grew during sweep %d", i).isGreaterThan(previous);
      previous = kernel;
      for (AccountingTerms r : rows) {
        assertThat(r.unaccounted().packets()).as("sweep %d, %s", i, r).isZero();
        assertThat(r.unaccounted().bytes()).as("sweep %d, %s", i, r).isZero();
        assertThat(r.kernel().packets())
            .as("sweep %d, %s", i, r)
            .isEqualTo(r.exported().packets() + r.inCache().packets());
      }
    }
    assertThat(sweeps).hasSize(SWEEPS);
  }

  private static long kernelPackets(List<AccountingTerms> rows) {
    return rows.stream().mapToLong(r -> r.kernel().packets()).sum();
  }

  /** trafgen in the namespace: UDP to an address the host does not own, 1,000 source ports. */
  private Process startFlood() throws Exception {
    Path conf = dir.resolve("flood.cfg");
    Files.writeString(
        conf,
        """
        {
          eth(da=%s, sa=%s),
          ipv4(saddr=198.18.0.2, daddr=198.18.0.1, ttl=64),
          udp(sp=dinc(10000, 10999), dp=9),
          fill(0x00, 64)
        }
        """
            .formatted(veth.a().mac(), veth.b().mac()));
    List<String> argv =
        veth.b()
            .netns()
            .argv(
                List.of(
                    "trafgen",
                    "--dev",
                    veth.b().name(),
                    "--conf",
                    conf.toString(),
                    "--gap",
                    "200us",
                    "--cpus",
                    "1",
                    "-q"));
    return new ProcessBuilder(argv)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("trafgen.log").toFile())
        .start();
  }

  private Path config() throws Exception {
    String yaml =
        """
        interfaces:
          - name: %s
            mode: xdp
            direction: ingress
        flows:
          max-flows: 4096
          sweep-interval: 250ms
          idle-timeout: 1s
          active-timeout: 60s
        dataplane:
          pin-path: %s
        state-directory: %s
        """
            .formatted(veth.a().name(), lab.pinDir(), dir.resolve("state"));
    Path file = dir.resolve("flowgate.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
