/**
 * Per-sink journals of flow records until delivery ({@link
 * dev.flowgate.exporters.spool.SinkSpool}): what a sink was handed survives a collector outage and
 * a kill -9 of the process.
 */
package dev.flowgate.exporters.spool;
