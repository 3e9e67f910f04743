package dev.flowgate.controlplane.samples;

import dev.flowgate.bpf.BpfMap;
import dev.flowgate.bpf.BpfObject;
import dev.flowgate.bpf.FlowTable;
import dev.flowgate.bpf.Layout;
import dev.flowgate.bpf.NativeBpf;
import dev.flowgate.bpf.SockDiag;
import dev.flowgate.exporters.collector.CollectorOptions;
import dev.flowgate.exporters.collector.PsampExporter;
import dev.flowgate.exporters.psamp.PsampEncoder;
import dev.flowgate.exporters.sample.SampleBatch;
import dev.flowgate.exporters.transport.MessageBatch;
import dev.flowgate.exporters.transport.UdpTransport;
import dev.flowgate.lab.Frames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Samples per second from the kernel's ring buffer to bytes on a socket, on the reader's side: the
 * real programs fill the ring (BPF_PROG_TEST_RUN of fg_xdp with sample rate 1, not timed), then one
 * thread empties it (timed) three ways, interleaved round by round:
 *
 * <ul>
 *   <li>to nothing: {@link SampleReader#readOnce} (one JNI crossing per poll, records packed into a
 *       {@link SampleBatch} with wall-clock times): the baseline;
 *   <li>pcapng: each batch written as enhanced packet blocks ({@link PcapngWriter}, the capture's
 *       comment, snap 128) and written to a loopback TCP socket that another thread drains;
 *   <li>PSAMP: each batch encoded ({@link PsampEncoder}, 1400-byte messages) and sent over UDP to a
 *       loopback socket: one write per datagram (as before issue 14's follow-up), one {@code
 *       sendmmsg} per batch ({@link UdpTransport} with a {@link MessageBatch}), paced by the sink's
 *       receive queue through sock_diag (the default) and through {@code /proc/net/udp} (the
 *       fallback), and the real {@link PsampExporter#write} (templates, sequence numbers,
 *       outcomes). The sink's socket drops (its buffer full: samples not delivered) are counted per
 *       case.
 * </ul>
 *
 * Run it pinned to one core ({@code make bench-samples} uses taskset). The capture's and the PSAMP
 * exporter's thread hand-offs (one per batch) are not in these figures.
 */
public final class SampleBenchmark {

  private static final int PER_FILL = 3_000; // the 1 MiB ring holds 3,744 records

  private SampleBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int payload = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    try (BpfObject obj = BpfObject.openDefault()) {
      FlowTable.configure(obj, 1024);
      obj.load();
      ByteBuffer key = NativeBpf.allocate(4).putInt(0, 1);
      ByteBuffer settings = NativeBpf.allocate(Layout.IFACE_SETTINGS_SIZE);
      Layout.putIfaceSettings(settings, 0, 3, 1);
      obj.map("fg_settings").update(key, settings, BpfMap.BPF_ANY);
      byte[] frame =
          Frames.ipv4("10.1.0.1", "10.2.0.2").udp(1000, 53).payload(payload).build().bytes();
      try (SampleReader reader = new SampleReader(obj.map("fg_samples"));
          ServerSocketChannel server = ServerSocketChannel.open();
          DatagramChannel udp = DatagramChannel.open()) {
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        SocketChannel tcp = SocketChannel.open(server.getLocalAddress());
        SocketChannel peer = server.accept();
        Thread drain = new Thread(() -> drain(peer), "drain");
        drain.setDaemon(true);
        drain.start();
        // a collector reads, in a process of its own (as nfcapd would be) on the CPU named by
        // SAMPLES_SINK_CPU (bench/samples.sh: the other core): UdpTransport paces a local one by
        // its receive queue
        Process sinkProcess = udpSink();
        InetSocketAddress sinkAddress =
            new InetSocketAddress(
                "127.0.0.1",
                Integer.parseInt(
                    new BufferedReader(
                            new InputStreamReader(
                                sinkProcess.getInputStream(), StandardCharsets.UTF_8))
                        .readLine()
                        .trim()));
        udp.connect(sinkAddress);
        byte[] comment = "sampled 1 in 1".getBytes(StandardCharsets.UTF_8);
        PsampEncoder psamp = new PsampEncoder(2, 1400);
        PsampEncoder jumbo = new PsampEncoder(2, 8960);
        int port = sinkAddress.getPort();
        UdpTransport transport = new UdpTransport("127.0.0.1", port);
        transport.open();
        // the same transport paced by /proc/net/udp (the fallback; before: every 8 datagrams)
        UdpTransport byProc = UdpTransport.pacedByProcNetUdp("127.0.0.1", port);
        byProc.open();
        sinkDiag = SockDiag.open();
        sinkFrom = (InetSocketAddress) udp.getLocalAddress();
        sinkTo = sinkAddress;
        MessageBatch messages = new MessageBatch(1400);
        PsampExporter exporter =
            PsampExporter.start(
                new CollectorOptions().collector("127.0.0.1", port).maxMessageSize(1400),
                () -> new TreeMap<>(Map.of(1L, 1)),
                Clock.systemUTC());
        PsampExporter byTime =
            PsampExporter.start(
                new CollectorOptions()
                    .collector("127.0.0.1", port)
                    .maxMessageSize(1400)
                    .templateRefreshPackets(0),
                () -> new TreeMap<>(Map.of(1L, 1)),
                Clock.systemUTC());
        List<Case> cases =
            List.of(
                new Case("ring -> nothing (baseline)", b -> 0),
                new Case("ring -> pcapng bytes, no socket", b -> pcapng(b, comment, null)),
                new Case("ring -> pcapng on TCP", b -> pcapng(b, comment, tcp)),
                new Case("ring -> PSAMP msgs, no socket", b -> psamp(b, psamp, null)),
                new Case("ring -> PSAMP on UDP (1400)", b -> psamp(b, psamp, udp)),
                new Case("ring -> PSAMP on UDP (8960)", b -> psamp(b, jumbo, udp)),
                new Case(
                    "ring -> PSAMP sendmmsg (1400)", b -> psamp(b, psamp, messages, transport)),
                new Case(
                    "ring -> PSAMP sendmmsg, /proc pacing", b -> psamp(b, psamp, messages, byProc)),
                new Case("ring -> PsampExporter (1400)", b -> exporter(b, exporter)),
                new Case("ring -> PsampExporter, refresh 60s", b -> exporter(b, byTime)));
        for (int warm = 0; warm < 20; warm++) {
          for (Case c : cases) {
            round(obj, frame, reader, c, false);
          }
        }
        for (int r = 0; r < rounds; r++) {
          for (Case c : cases) {
            round(obj, frame, reader, c, true);
          }
        }
        System.out.printf(
            "samples: ring buffer to bytes on a socket, one thread, %d rounds of %d samples"
                + " (frame %d B, snap 128), cases interleaved%n",
            rounds, PER_FILL, frame.length);
        System.out.printf(
            "%-36s %12s %10s %12s %10s %11s%n",
            "case", "samples/s", "ns/sample", "bytes/sample", "x base", "sink drops");
        double base = cases.get(0).rate();
        for (Case c : cases) {
          System.out.printf(
              "%-36s %,12.0f %10.1f %12.1f %10.2f %,11d%n",
              c.name,
              c.rate(),
              1e9 / c.rate(),
              (double) c.bytes / Math.max(1, c.samples),
              c.rate() / base,
              c.drops);
        }
        tcp.close();
        exporter.close();
        byTime.close();
        transport.close();
        byProc.close();
        sinkDiag.close();
        sinkProcess.destroy();
        messages.close();
        System.out.printf("PsampExporter: %s%n", exporter.report());
      }
    }
  }

  /** What a case does with one batch; returns the bytes it put on the socket. */
  private interface Sink {
    long accept(SampleBatch b) throws Exception;
  }

  private static final class Case {
    final String name;
    final Sink sink;
    long nanos;
    long samples;
    long bytes;
    long drops; // datagrams the UDP sink's socket dropped (buffer full) during the timed rounds

    Case(String name, Sink sink) {
      this.name = name;
      this.sink = sink;
    }

    double rate() {
      return samples * 1e9 / nanos;
    }
  }

  private static void round(BpfObject obj, byte[] frame, SampleReader reader, Case c, boolean timed)
      throws Exception {
    obj.program("fg_xdp").testRun(frame, PER_FILL);
    long dropsBefore = sinkDrops();
    long n = 0;
    long bytes = 0;
    long start = System.nanoTime();
    while (n < PER_FILL) {
      SampleBatch b = reader.readOnce(1000);
      n += b.size();
      bytes += c.sink.accept(b);
    }
    long took = System.nanoTime() - start;
    long dropped = sinkDrops() - dropsBefore;
    if (timed) {
      c.nanos += took;
      c.samples += n;
      c.bytes += bytes;
      c.drops += dropped;
    }
  }

  private static SockDiag sinkDiag;
  private static InetSocketAddress sinkFrom;
  private static InetSocketAddress sinkTo;

  /** The UDP sink's drops so far, once the sink process emptied its queue. */
  private static long sinkDrops() throws Exception {
    long[] q = new long[3];
    while (true) {
      sinkDiag.udp(sinkFrom, sinkTo, q);
      if (q[SockDiag.QUEUED] == 0) {
        return q[SockDiag.DROPS];
      }
      Thread.sleep(1);
    }
  }

  private static long pcapng(SampleBatch b, byte[] comment, SocketChannel out) throws Exception {
    ByteBuf buf = Unpooled.buffer(b.size() * (64 + 128));
    byte[] data = b.data();
    for (int i = 0; i < b.size(); i++) {
      PcapngWriter.enhancedPacket(
          buf,
          0,
          b.timeNanos(i),
          data,
          b.frameOffset(i),
          b.capturedLength(i),
          b.originalLength(i),
          b.direction(i),
          comment);
    }
    long n = buf.readableBytes();
    ByteBuffer nio = buf.nioBuffer();
    while (out != null && nio.hasRemaining()) {
      out.write(nio);
    }
    return n;
  }

  private static long psamp(SampleBatch b, PsampEncoder encoder, DatagramChannel out)
      throws Exception {
    ByteBuf buf = Unpooled.buffer(encoder.maxMessageSize());
    long n = 0;
    for (int i = 0; i < b.size(); ) {
      buf.clear();
      i = encoder.encodeSamples(b, i, buf);
      encoder.stamp(buf, System.currentTimeMillis(), i);
      n += buf.readableBytes();
      if (out != null) {
        out.write(buf.nioBuffer());
      }
    }
    return n;
  }

  /** One batch in one MessageBatch, sent with one sendmmsg (the exporter's way, no ledger). */
  private static long psamp(
      SampleBatch b, PsampEncoder encoder, MessageBatch messages, UdpTransport out)
      throws Exception {
    messages.clear();
    for (int i = 0; i < b.size(); ) {
      int next = encoder.encodeSamples(b, i, messages.next());
      messages.add(next - i, next - i);
      i = next;
    }
    long n = 0;
    for (int i = 0; i < messages.size(); i++) {
      encoder.stamp(messages.message(i), System.currentTimeMillis(), i);
      n += messages.length(i);
    }
    for (int sent = 0; sent < messages.size(); ) {
      sent += out.send(messages, sent, messages.size() - sent);
    }
    return n;
  }

  /** The real exporter's write: encode, templates when due, sendmmsg, outcomes. */
  private static long exporter(SampleBatch b, PsampExporter exporter) {
    long before = exporter.stats().octetsSent();
    exporter.write(b);
    return exporter.stats().octetsSent() - before;
  }

  /**
   * A UDP collector stand-in: a process that binds 127.0.0.1 (receive buffer {@code
   * SAMPLES_SINK_RCVBUF} bytes if set, as nfcapd -B; else the system's default), prints its port
   * and reads every datagram, pinned with taskset to {@code SAMPLES_SINK_CPU} if set.
   */
  private static Process udpSink() throws Exception {
    String script =
        "import os, socket\n"
            + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "rcvbuf = int(os.environ.get('SAMPLES_SINK_RCVBUF', '0'))\n"
            + "if rcvbuf > 0:\n"
            + "    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)\n"
            + "s.bind(('127.0.0.1', 0))\n"
            + "print(s.getsockname()[1], flush=True)\n"
            + "b = bytearray(65536)\n"
            + "while True:\n"
            + "    s.recv_into(b)\n";
    List<String> cmd = new ArrayList<>();
    String cpu = System.getenv("SAMPLES_SINK_CPU");
    if (cpu != null && !cpu.isEmpty()) {
      cmd.addAll(List.of("taskset", "-c", cpu));
    }
    cmd.addAll(List.of("python3", "-c", script));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static void drain(SocketChannel in) {
    ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
    try {
      while (in.read(b.clear()) >= 0) {
        // discard
      }
    } catch (Exception e) {
      // closed
    }
  }
}
