package dev.flowgate.controlplane.detect;

import java.util.List;

/**
 * What an attack looks like, from the target's counters and the interval's flows towards it.
 *
 * @param packets packets to the target in the interval (kernel counters)
 * @param bytes their IP bytes
 * @param meanPacketBytes bytes / packets
 * @param protocols packets per protocol class (tcp, tcp-syn, udp, icmp, fragments, amplification)
 * @param flows flows started towards the target (kernel counter)
 * @param topSources the sources sending most packets, from the interval's flows
 * @param topSourcePorts the source ports carrying most packets
 * @param topDestinationPorts the destination ports getting most packets
 * @param attributedPackets packets of the interval's flows towards the target (the top lists'
 *     basis: less than {@code packets} when the flow table was full)
 * @param distinctSources sources seen in those flows (at most {@link SourceTally#MAX_SOURCES})
 * @param samples what the packet samples towards the target show ({@link SampledTraffic}); null
 *     where there are none (sampling off)
 */
public record Fingerprint(
    long packets,
    long bytes,
    long meanPacketBytes,
    java.util.Map<String, Long> protocols,
    long flows,
    List<Top> topSources,
    List<Top> topSourcePorts,
    List<Top> topDestinationPorts,
    long attributedPackets,
    long distinctSources,
    Sampled samples) {

  /** The same, with what the samples show. */
  public Fingerprint withSamples(Sampled s) {
    return new Fingerprint(
        packets,
        bytes,
        meanPacketBytes,
        protocols,
        flows,
        topSources,
        topSourcePorts,
        topDestinationPorts,
        attributedPackets,
        distinctSources,
        s);
  }

  /** One entry of a top list: a source address or a port, and its packets. */
  public record Top(String key, long packets) {}

  /**
   * What the packet samples towards the target over the interval show (each a sampled packet; a
   * sample stands for 1-in-N packets of its interface).
   *
   * @param samples samples towards the target
   * @param topSources the sources of most samples
   * @param topSourcePorts the source ports of most samples (TCP, UDP, SCTP)
   * @param topDestinationPorts the destination ports of most samples
   * @param packetSizes samples per frame-size bin (bytes on the wire, without FCS: 0-64, 65-127,
   *     128-255, 256-511, 512-1023, 1024-1518, 1519-)
   */
  public record Sampled(
      long samples,
      List<Top> topSources,
      List<Top> topSourcePorts,
      List<Top> topDestinationPorts,
      List<Bin> packetSizes) {}

  /** One bin of a histogram: its range ({@code 65-127}, {@code 1519-}) and its samples. */
  public record Bin(String bytes, long samples) {}
}
