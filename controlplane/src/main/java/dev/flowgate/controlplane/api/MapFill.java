package dev.flowgate.controlplane.api;

/**
 * How full the kernel flow map got.
 *
 * @param entries flow entries drained by the last sweep
 * @param capacity the flow map's max entries ({@code flows.max-flows})
 */
public record MapFill(long entries, long capacity) {}
