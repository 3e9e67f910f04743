/**
 * The HTTP API of flowgate ({@code /healthz}, {@code /readyz}, {@code /metrics}, {@code
 * /api/v1/...}) on Vert.x Web, described by {@code openapi.yaml}.
 *
 * <p>{@link dev.flowgate.controlplane.api.ApiServer} serves it; it reaches the rest of flowgate
 * only through {@link dev.flowgate.controlplane.api.ApiBackend}, whose calls run on worker threads,
 * never on the event loop.
 */
package dev.flowgate.controlplane.api;
