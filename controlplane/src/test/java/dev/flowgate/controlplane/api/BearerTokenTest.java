package dev.flowgate.controlplane.api;

import static dev.flowgate.controlplane.api.ApiServerTestBase.writeTokenFile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The token file must be the owner's alone, exist and hold a token, or the server won't start. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BearerTokenTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"rw-------", "r--------", "rwx------", "rw---x--x", "rw-r-----"})
  void ownerOnlyOrGroupReadableFileIsAccepted(String mode) throws Exception {
    Path file = writeTokenFile(dir.resolve("token"), "  abc\n", mode);
    assertThat(BearerToken.load(file).matches("abc")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"rw--w----", "rw----r--", "rw-----w-", "rw-rw-rw-", "r--r--r--", "rw-rw----"})
  void fileWritableByGroupOrOpenToOthersIsRefused(String mode) throws Exception {
    Path file = writeTokenFile(dir.resolve("token"), "abc\n", mode);
    assertThatThrownBy(() -> BearerToken.load(file))
        .isInstanceOf(TokenFileException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(
            "writable by group or readable or writable by others (mode " + mode + ")")
        .hasMessageContaining("chmod 640");
  }

  @Test
  void missingEmptyOrDirectoryIsRefused() throws Exception {
    assertThatThrownBy(() -> BearerToken.load(dir.resolve("absent")))
        .isInstanceOf(TokenFileException.class)
        .hasMessageEndingWith("does not exist");
    Path empty = writeTokenFile(dir.resolve("empty"), " \n", "rw-------");
    assertThatThrownBy(() -> BearerToken.load(empty))
        .isInstanceOf(TokenFileException.class)
        .hasMessageEndingWith("is empty");
    Path sub = Files.createDirectory(dir.resolve("sub"));
    assertThatThrownBy(() -> BearerToken.load(sub))
        .isInstanceOf(TokenFileException.class)
        .hasMessageEndingWith("is not a regular file");
  }

  @Test
  void serverRefusesToStartWithAWorldReadableTokenFile(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    Path file = writeTokenFile(dir.resolve("token"), "abc\n", "rw-r--r--");
    ApiServer server =
        new ApiServer(
            vertx,
            new InMemoryApiBackend(),
            new ApiServerOptions().setPort(0).setTokenFile(file),
            null);
    server
        .start()
        .onComplete(
            ctx.failing(
                cause ->
                    ctx.verify(
                        () -> {
                          assertThat(cause).isInstanceOf(TokenFileException.class);
                          assertThat(((TokenFileException) cause).file()).isEqualTo(file);
                          assertThat(server.actualPort()).isEqualTo(-1);
                          ctx.completeNow();
                        })));
  }

  @Test
  void serverRefusesToStartWithAMissingTokenFile(Vertx vertx, VertxTestContext ctx) {
    ApiServer server =
        new ApiServer(
            vertx,
            new InMemoryApiBackend(),
            new ApiServerOptions().setPort(0).setTokenFile(dir.resolve("absent")),
            null);
    server
        .start()
        .onComplete(
            ctx.failing(
                cause ->
                    ctx.verify(
                        () -> {
                          assertThat(cause)
                              .isInstanceOf(TokenFileException.class)
                              .hasMessageContaining("does not exist");
                          ctx.completeNow();
                        })));
  }
}
