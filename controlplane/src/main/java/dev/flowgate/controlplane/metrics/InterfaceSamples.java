package dev.flowgate.controlplane.metrics;

/**
 * The packet samples of one interface and direction as of the last sweep. At a quiescent point
 * {@code taken = kernelLost + delivered}; each subscriber kind's losses are part of delivered.
 *
 * @param interfaceName the interface
 * @param direction {@code ingress} or {@code egress}
 * @param taken packets the kernel's 1-in-N sampler chose (since its maps were pinned)
 * @param kernelLost those the full ring buffer refused
 * @param delivered those read out of the ring buffer and offered to the consumers
 * @param captureLost samples live captures lost (their client read too slowly)
 * @param psampLost samples the PSAMP exporters lost (their queue was full)
 * @param detectLost samples the detectors' fingerprints lost (their queue was full)
 */
public record InterfaceSamples(
    String interfaceName,
    String direction,
    long taken,
    long kernelLost,
    long delivered,
    long captureLost,
    long psampLost,
    long detectLost) {}
