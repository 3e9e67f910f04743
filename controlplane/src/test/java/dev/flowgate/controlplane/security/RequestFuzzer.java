package dev.flowgate.controlplane.security;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Random and malformed HTTP/1.x requests: methods real and invented, paths known, mangled,
 * traversing and huge, headers broken or contradictory, bodies of every shape, and raw garbage.
 * Requests that carry the valid token never hold a valid interface spec, so fuzzing can not attach
 * flowgate to a real interface or detach the lab's.
 */
final class RequestFuzzer {
  private static final List<String> METHODS =
      List.of(
          "GET",
          "POST",
          "PUT",
          "PATCH",
          "DELETE",
          "HEAD",
          "OPTIONS",
          "TRACE",
          "CONNECT",
          "get",
          "G ET",
          "BREW",
          "",
          "\u00ff\u00fe");
  private static final List<String> PATHS =
      List.of(
          "/",
          "/healthz",
          "/readyz",
          "/metrics",
          "/api/v1/status",
          "/api/v1/interfaces",
          "/api/v1/interfaces/zzfuzz0",
          "/api/v1/flows?top=5&by=bytes",
          "/api/v1/flows?top=-1&by=x",
          "/api/v1/flows?top=99999999999",
          "/api/v1/flows.arrow",
          "/api/v1/openapi.yaml",
          "/api/v1/capture?interface=a&count=-3",
          "/api/v1/blocks",
          "/api/v1/alerts",
          "/../../etc/passwd",
          "/api/v1/../../../etc/shadow",
          "/%2e%2e/%2e%2e/etc/passwd",
          "/api/v1/interfaces/%00",
          "/api/v1/interfaces/..%2f..%2f",
          "//api//v1//status",
          "/api/v1/status?%zz",
          "*",
          "http://evil/api/v1/status",
          "/api/v1/interfaces/zz%ff%fe",
          "/file:///etc/passwd");
  private static final List<String> CONTENT_TYPES =
      List.of(
          "application/json",
          "application/json; charset=utf-8",
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/json; charset=ebcdic",
          "",
          ";;;");
  private static final List<String> BODIES =
      List.of(
          "",
          "{}",
          "[]",
          "null",
          "{",
          "}}}",
          "{\"name\":123}",
          "{\"name\":\"zzfuzz\",\"mode\":\"bogus\"}",
          "{\"name\":\"\",\"mode\":\"xdp\",\"direction\":\"sideways\"}",
          "{\"sampling\":-1}",
          "{\"sampling\":\"lots\"}",
          "{\"name\":\"zz\u0000\",\"x\":1,\"x\":2}",
          "{\"name\":\"/(/\",\"mode\":\"xdp\",\"extra\":true}",
          "\"\\ud800\"",
          "1e99999",
          "{\"a\":" + "[".repeat(5000) + "}");

  private final Random random;
  private final String token;

  RequestFuzzer(long seed, String token) {
    this.random = new Random(seed);
    this.token = token;
  }

  private <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }

  private String randomText(int max) {
    StringBuilder s = new StringBuilder();
    int n = random.nextInt(max + 1);
    for (int i = 0; i < n; i++) {
      s.append((char) (random.nextInt(4) == 0 ? random.nextInt(256) : 0x21 + random.nextInt(94)));
    }
    return s.toString();
  }

  private String path() {
    return switch (random.nextInt(6)) {
      case 0 -> "/" + randomText(40);
      case 1 -> pick(PATHS) + randomText(8);
      case 2 -> "/api/v1/" + "x".repeat(random.nextInt(20_000));
      default -> pick(PATHS);
    };
  }

  /** The next request's bytes; {@code complete} is false for garbage the server may wait on. */
  byte[] next() {
    if (random.nextInt(20) == 0) {
      byte[] garbage = new byte[random.nextInt(2000)];
      random.nextBytes(garbage);
      return concat(garbage, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    String method =
        random.nextInt(4) == 0 ? pick(METHODS) : pick(List.of("GET", "POST", "PATCH", "DELETE"));
    String version =
        random.nextInt(15) == 0
            ? pick(List.of("HTTP/1.0", "HTTP/9.9", "HTTP/1", "", "HTTP/1.1 extra"))
            : "HTTP/1.1";
    byte[] body =
        random.nextInt(8) == 0
            ? randomText(3000).getBytes(StandardCharsets.UTF_8)
            : pick(BODIES).getBytes(StandardCharsets.UTF_8);
    if (random.nextInt(30) == 0) {
      body = new byte[70_000 + random.nextInt(200_000)]; // over the body limit
    }
    StringBuilder h = new StringBuilder();
    h.append(method).append(' ').append(path()).append(' ').append(version).append("\r\n");
    if (random.nextInt(10) != 0) {
      h.append("Host: 127.0.0.1\r\n");
    }
    switch (random.nextInt(6)) {
      case 0 -> h.append("Authorization: Bearer ").append(token).append("\r\n");
      case 1 -> h.append("Authorization: Bearer ").append(randomText(80)).append("\r\n");
      case 2 -> h.append("Authorization: Basic YWRtaW46YWRtaW4=\r\n");
      case 3 -> h.append("Authorization: ").append(randomText(20)).append("\r\n");
      default -> {}
    }
    if (random.nextBoolean()) {
      h.append("Content-Type: ").append(pick(CONTENT_TYPES)).append("\r\n");
    }
    if (random.nextInt(10) == 0) {
      h.append("Origin: http://evil.example\r\n");
    }
    if (random.nextInt(10) == 0) {
      h.append(randomText(30)).append(": ").append(randomText(200)).append("\r\n");
    }
    if (random.nextInt(25) == 0) {
      h.append("X-Big: ").append("a".repeat(10_000 + random.nextInt(30_000))).append("\r\n");
    }
    if (random.nextInt(25) == 0) {
      h.append("Transfer-Encoding: chunked\r\n");
      body =
          (Integer.toHexString(body.length)
                  + "\r\n"
                  + new String(body, StandardCharsets.ISO_8859_1)
                  + "\r\n0\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1);
    } else if (random.nextInt(20) == 0) {
      h.append("Content-Length: ")
          .append(
              pick(
                  List.of(
                      "-1", "abc", "99999999999999999999", "0, 5", String.valueOf(body.length))))
          .append("\r\n");
    } else {
      h.append("Content-Length: ").append(body.length).append("\r\n");
    }
    h.append("Connection: close\r\n\r\n");
    return concat(h.toString().getBytes(StandardCharsets.ISO_8859_1), body);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }
}
