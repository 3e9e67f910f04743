package dev.flowgate.exporters.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A throw-away PKI made with the openssl command: a CA, a server certificate for 127.0.0.1 (IP
 * SAN) and a client certificate, each with its PKCS#8 PEM key, in a test's directory.
 *
 * @param ca the CA certificate (PEM)
 * @param serverCert the server certificate
 * @param serverKey its key
 * @param clientCert the client certificate
 * @param clientKey its key
 */
public record TestCertificates(
    Path ca, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

  /** Makes the files under {@code dir}. */
  public static TestCertificates create(Path dir) throws Exception {
    Path ca = dir.resolve("ca.pem");
    Path caKey = dir.resolve("ca.key");
    Processes.run(
        List.of(
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
            caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=fg-test-ca"));
    Path ext = dir.resolve("san.ext");
    Files.writeString(ext, "subjectAltName=IP:127.0.0.1\n");
    Path server = sign(dir, "server", "/CN=127.0.0.1", ca, caKey, ext);
    Path client = sign(dir, "client", "/CN=flowgate", ca, caKey, null);
    return new TestCertificates(
        ca, server, dir.resolve("server.key"), client, dir.resolve("client.key"));
  }

  private static Path sign(Path dir, String name, String subject, Path ca, Path caKey, Path ext)
      throws Exception {
    Path key = dir.resolve(name + ".key");
    Path csr = dir.resolve(name + ".csr");
    Path cert = dir.resolve(name + ".pem");
    Processes.run(
        List.of(
            "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out",
            csr.toString(), "-subj", subject));
    List<String> x509 =
        new java.util.ArrayList<>(
            List.of(
                "openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey",
                caKey.toString(), "-CAcreateserial", "-out", cert.toString(), "-days", "2"));
    if (ext != null) {
      x509.addAll(List.of("-extfile", ext.toString()));
    }
    Processes.run(x509);
    return cert;
  }
}
