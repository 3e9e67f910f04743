package dev.flowgate.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** With api.tls the API speaks HTTPS only. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiTlsTest extends ApiServerTestBase {

  private SelfSignedCertificate certificate;

  @Override
  ApiServerOptions options() {
    certificate = SelfSignedCertificate.create("localhost");
    return super.options()
        .setTls(Path.of(certificate.certificatePath()), Path.of(certificate.privateKeyPath()));
  }

  @AfterEach
  void deleteCertificate() {
    certificate.delete();
  }

  @Test
  void servesHttpsAndRefusesPlainHttp() throws Exception {
    ApiClient https =
        new ApiClient(
            vertx,
            new HttpClientOptions()
                .setSsl(true)
                .setTrustOptions(certificate.trustOptions())
                .setVerifyHost(false),
            server.actualPort(),
            TOKEN);
    try {
      assertThat(await(https.get("/healthz")).status()).isEqualTo(200);
    } finally {
      await(https.close());
    }
    assertThat(client.get("/healthz").toCompletionStage().toCompletableFuture())
        .failsWithin(30, TimeUnit.SECONDS);
  }
}
