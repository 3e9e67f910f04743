package dev.flowgate.exporters.bench;

import dev.flowgate.exporters.FlowColumns;
import dev.flowgate.exporters.encode.EncodeCursor;
import dev.flowgate.exporters.ipfix.IpfixEncoder;
import dev.flowgate.exporters.testing.FlowBatches;
import dev.flowgate.exporters.testing.TestFlow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * IPFIX data records encoded per second on one thread, from a 10,000-row Arrow batch (two thirds
 * IPv4, one third IPv6) into one reused 1400-byte buffer, message after message. {@code flowgate}
 * is {@link IpfixEncoder}; {@code naivePerRecordObjects} is the baseline in the same run. One
 * operation = one record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IpfixEncodeBenchmark {

  static final int ROWS = 10_000;

  private RootAllocator allocator;
  private VectorSchemaRoot root;
  private FlowColumns columns;
  private final EncodeCursor cursor = new EncodeCursor();
  private final IpfixEncoder encoder = new IpfixEncoder(1, 1400);
  private final NaiveIpfixEncoder naive = new NaiveIpfixEncoder(1400);
  private ByteBuf out;

  @Setup
  public void setUp() {
    allocator = new RootAllocator();
    List<TestFlow> flows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      boolean v4 = i % 3 != 2;
      String src =
          v4
              ? "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)
              : "2001:db8::" + Integer.toHexString(i + 1);
      String dst = v4 ? "192.0.2.1" : "2001:db8:1::1";
      flows.add(
          new TestFlow(
              src,
              dst,
              1024 + i % 60000,
              443,
              6,
              0,
              0x1b,
              10 + i,
              1500L * (10 + i),
              1_700_000_000_000L,
              1_700_000_060_000L,
              3,
              i & 1,
              0,
              3));
    }
    root = FlowBatches.build(allocator, flows);
    columns = new FlowColumns(root);
    out = Unpooled.directBuffer(1400, 1400);
  }

  @TearDown
  public void tearDown() {
    out.release();
    root.close();
    allocator.close();
  }

  @Benchmark
  @OperationsPerInvocation(ROWS)
  public int flowgate() {
    EncodeCursor c = cursor.reset();
    int records = 0;
    while (encoder.encodeData(columns, c, out)) {
      records += c.records;
      out.clear();
    }
    return records;
  }

  @Benchmark
  @OperationsPerInvocation(ROWS)
  public int naivePerRecordObjects() throws UnknownHostException {
    int row = 0;
    int bytes = 0;
    while (row < ROWS) {
      row = naive.encode(root, row, out);
      bytes += out.readableBytes();
      out.clear();
    }
    return bytes;
  }
}
