/**
 * What became of the flow records each sink was handed: delivered, dropped, failed or still queued,
 * in packets and bytes of those records ({@link dev.flowgate.exporters.SinkReport}).
 */
package dev.flowgate.exporters.outcome;
