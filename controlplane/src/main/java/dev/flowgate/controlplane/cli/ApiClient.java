package dev.flowgate.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgate.controlplane.config.HostPort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * A client of flowgate's HTTP API for the CLI: JSON reads, the streamed flow walk, the flush. Over
 * HTTPS it trusts exactly the certificate the config names (the daemon's own), not the system's
 * authorities. Every failure is an {@link ApiCallException} with one line to print.
 */
final class ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http;
  private final String token;
  private final String tokenProblem;

  /**
   * @param listen the API's listen address (a wildcard address is reached on loopback)
   * @param tlsCert the daemon's certificate when the API serves HTTPS
   * @param token the bearer token, or null
   * @param tokenProblem why the configured token file could not be read, or null
   */
  ApiClient(HostPort listen, Optional<Path> tlsCert, String token, String tokenProblem) {
    String host = listen.host();
    if (host.equals("0.0.0.0") || host.isEmpty()) {
      host = "127.0.0.1";
    } else if (host.equals("::")) {
      host = "::1";
    }
    String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + listen.port();
    this.base = URI.create((tlsCert.isPresent() ? "https://" : "http://") + authority);
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (tlsCert.isPresent()) {
      // trust is pinned to the one certificate, whatever names it carries (read by the JDK's
      // client when it first loads: set before the first HTTPS call of this process)
      System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
      b.sslContext(trusting(tlsCert.get()));
      SSLParameters p = new SSLParameters();
      p.setEndpointIdentificationAlgorithm(null); // pinned to the one certificate instead
      b.sslParameters(p);
    }
    this.http = b.build();
    this.token = token;
    this.tokenProblem = tokenProblem;
  }

  /** The API's base URL, e.g. {@code http://127.0.0.1:9740}. */
  URI base() {
    return base;
  }

  /** GET a JSON document; empty on 404 when {@code optional}. */
  Optional<JsonNode> get(String path, boolean optional) {
    HttpResponse<String> r = send(request(path).GET(), HttpResponse.BodyHandlers.ofString());
    if (optional && r.statusCode() == 404) {
      return Optional.empty();
    }
    check(path, r.statusCode(), r.body());
    try {
      return Optional.of(JSON.readTree(r.body()));
    } catch (IOException e) {
      throw new ApiCallException(path + ": the answer is not JSON: " + e.getMessage());
    }
  }

  /** GET a JSON document. */
  JsonNode get(String path) {
    return get(path, false).orElseThrow();
  }

  /** POST without a body; the JSON answer. */
  JsonNode post(String path) {
    HttpResponse<String> r =
        send(request(path).POST(HttpRequest.BodyPublishers.noBody()), HttpResponse.BodyHandlers.ofString());
    check(path, r.statusCode(), r.body());
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new ApiCallException(path + ": the answer is not JSON: " + e.getMessage());
    }
  }

  /** GET a JSON Lines stream, each line handed on as it arrives; returns the lines read. */
  long lines(String path, Consumer<String> line) {
    HttpResponse<InputStream> r = send(request(path).GET(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        check(path, r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      long n = 0;
      for (String l = reader.readLine(); l != null; l = reader.readLine()) {
        if (!l.isEmpty()) {
          line.accept(l);
          n++;
        }
      }
      return n;
    } catch (IOException e) {
      throw new ApiCallException(path + ": the stream was cut: " + e.getMessage());
    }
  }

  /** Parses one JSON line of a stream. */
  static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofMinutes(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
    try {
      return http.send(request.build(), body);
    } catch (IOException e) {
      throw new ApiCallException(
          "cannot reach flowgate's API at " + base + " (is flowgate running?): " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiCallException("interrupted");
    }
  }

  private void check(String path, int status, String body) {
    if (status >= 200 && status < 300) {
      return;
    }
    String detail = body;
    try {
      JsonNode error = JSON.readTree(body);
      if (error.hasNonNull("detail")) {
        detail = error.get("detail").asText();
      } else if (error.hasNonNull("error")) {
        detail = error.get("error").asText();
      }
    } catch (IOException e) {
      // not JSON: the body as it is
    }
    String hint = "";
    if ((status == 401 || status == 403) && tokenProblem != null) {
      hint = "; " + tokenProblem;
    }
    throw new ApiCallException(path + " answered " + status + ": " + detail + hint);
  }

  private static SSLContext trusting(Path certFile) {
    try (InputStream in = Files.newInputStream(certFile)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("flowgate-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new ApiCallException("cannot read the API's certificate " + certFile + ": " + e);
    }
  }
}
