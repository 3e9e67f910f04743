package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A lazy mapping reads as zero and commits only the pages written (the process's RssAnon). */
class LazyMemoryTest {

  private static final long MIB = 1 << 20;

  @Test
  void aLargeMappingCostsOnlyThePagesWritten() throws Exception {
    long before = rssAnonKb();
    long during;
    try (LazyMemory m = LazyMemory.map(512 * MIB)) {
      ByteBuffer b = m.buffer();
      assertThat(b.capacity()).isEqualTo(512 * MIB);
      assertThat(b.order()).isEqualTo(ByteOrder.nativeOrder());
      for (long at = 0; at < 512 * MIB; at += 16 * MIB) {
        assertThat(b.getLong((int) at)).isZero();
      }
      // one long in each of 1,024 pages: 4 MiB, not 512
      for (int page = 0; page < 1024; page++) {
        b.putLong(page * 4096 * 8, page + 1);
      }
      during = rssAnonKb();
      long grown = during - before;
      assertThat(grown).as("RssAnon growth in kB").isBetween(4096L, 64L * 1024);
      assertThat(b.getLong(1023 * 4096 * 8)).isEqualTo(1024);
    }
    assertThat(during - rssAnonKb()).as("RssAnon given back by close, kB").isGreaterThan(3072L);
  }

  @Test
  void badSizesAreRefused() {
    assertThatThrownBy(() -> LazyMemory.map(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LazyMemory.map(1L << 31)).isInstanceOf(IllegalArgumentException.class);
  }

  private static long rssAnonKb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("RssAnon:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no RssAnon");
  }
}
