package dev.flowgate.controlplane.api;

import dev.flowgate.controlplane.config.Direction;

/**
 * One active flow in {@code GET /api/v1/flows}; the names are FlowSchema's IPFIX elements.
 *
 * @param sourceAddress textual address: dotted quad for IPv4, RFC 5952 for IPv6
 * @param destinationAddress textual address
 * @param sourceTransportPort 0 for ICMP and non-first fragments
 * @param destinationTransportPort for ICMP: type &lt;&lt; 8 | code
 * @param protocolIdentifier IP protocol number
 * @param ipVersion 4 or 6
 * @param ifindex the interface's ifindex
 * @param interfaceName the interface's name, if known
 * @param flowDirection {@link Direction#INGRESS} or {@link Direction#EGRESS}
 * @param vlanId outer VLAN id, 0 if untagged
 * @param ipClassOfService IP ToS / traffic class
 * @param tcpControlBits OR of every packet's TCP flags
 * @param packetDeltaCount packets since the flow started
 * @param octetDeltaCount IP header and payload bytes since the flow started
 * @param flowStartMilliseconds first packet, ms since the epoch (UTC)
 * @param flowEndMilliseconds last packet, ms since the epoch (UTC)
 * @param ingressInterface where the flow entered (0: sent by this host, or unknown)
 * @param egressInterface where it leaves (the FIB's answer at an ingress hook; 0: not forwarded)
 * @param ipNextHopAddress the FIB's next hop, null when none is known
 * @param forwardingStatus RFC 7270 code (64 forwarded, 129-131 dropped, 195 consumed, 0 unknown)
 * @param sourceMacAddress the first packet's source MAC (record-macs), null otherwise
 * @param destinationMacAddress the first packet's destination MAC, null otherwise
 */
public record FlowRow(
    String sourceAddress,
    String destinationAddress,
    int sourceTransportPort,
    int destinationTransportPort,
    int protocolIdentifier,
    int ipVersion,
    long ifindex,
    String interfaceName,
    Direction flowDirection,
    int vlanId,
    int ipClassOfService,
    int tcpControlBits,
    long packetDeltaCount,
    long octetDeltaCount,
    long flowStartMilliseconds,
    long flowEndMilliseconds,
    long ingressInterface,
    long egressInterface,
    String ipNextHopAddress,
    int forwardingStatus,
    String sourceMacAddress,
    String destinationMacAddress) {}
