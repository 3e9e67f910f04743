package dev.flowgate.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.controlplane.bench.FlowsArrowUnderHeapCap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/flows.arrow} at 400,000 flows in a 48 MB heap ({@code flowgate run}'s service
 * in a child JVM, {@link FlowsArrowUnderHeapCap}; needs root): the stream, written to a file chunk
 * by chunk, holds every flow the sweep drained (rows, packets and bytes equal to what the kernel
 * table was filled with), while the way it was served before (the whole stream in one array, about
 * 33 MB here, grown by copying) runs out of heap in the same JVM settings.
 */
@Tag("kernel")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FlowsArrowHeapCapTest {
  private static final int FLOWS = 400_000;
  private static final String HEAP = "-Xmx48m";

  @TempDir Path dir;

  @Test
  void theStreamIsWrittenInBoundedMemoryAndHoldsEveryFlow() throws Exception {
    Run run = child("file");
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output())
        .contains("rows 400000 packets 4200000 bytes 3201100000")
        .contains("expected 400000 4200000 3201100000");
  }

  @Test
  void theWholeStreamOnTheHeapDoesNotFitTheSameCap() throws Exception {
    Run run = child("heap");
    assertThat(run.exit()).as(run.output()).isNotZero();
    assertThat(run.output()).contains("OutOfMemoryError: Java heap space");
  }

  private record Run(int exit, String output) {}

  private Run child(String mode) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    HEAP,
                    "-XX:+UseSerialGC",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "-cp",
                    System.getProperty("java.class.path"),
                    FlowsArrowUnderHeapCap.class.getName(),
                    Integer.toString(FLOWS),
                    mode,
                    dir.toString()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Run(p.waitFor(), out);
  }
}
