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
    long distinctSources) {

  /** One entry of a top list: a source address or a port, and its packets. */
  public record Top(String key, long packets) {}
}
