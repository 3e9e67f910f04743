package dev.flowgate.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.controlplane.cli.Main;
import dev.flowgate.controlplane.config.ConfigLoader;
import dev.flowgate.controlplane.config.FlowgateConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Config, token, TLS key and state files others could change (or read, for secrets). */
@Timeout(60)
class FilePermissionCheckTest {
  @TempDir Path dir;
  private Path config;
  private Path token;
  private Path state;

  @BeforeEach
  void files() throws Exception {
    token = dir.resolve("api-token");
    Files.writeString(token, "secret\n");
    mode(token, "rw-r-----");
    state = Files.createDirectory(dir.resolve("state"));
    mode(state, "rwxr-x---");
    config = dir.resolve("flowgate.yaml");
    Files.writeString(
        config,
        """
        interfaces: []
        state-directory: %s
        export:
          arrow: {directory: %s}
        api: {listen: "127.0.0.1:0", token-file: %s}
        """
            .formatted(state, state.resolve("flows"), token));
    mode(config, "rw-r--r--");
  }

  private static void mode(Path p, String mode) throws Exception {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
  }

  private void check() throws Exception {
    FlowgateConfig loaded = ConfigLoader.load(config);
    FilePermissionCheck.check(loaded, config);
  }

  @Test
  void packagedLayoutPasses() throws Exception {
    Files.writeString(state.resolve("slots"), "eth1 0\n");
    check();
  }

  @Test
  void configWritableByOthersIsRefused() throws Exception {
    mode(config, "rw-rw-rw-");
    assertThatThrownBy(this::check)
        .isInstanceOf(UnsafePermissionsException.class)
        .hasMessageContaining(
            config
                + " (config file) has mode rw-rw-rw-: writable by its group,"
                + " writable by others; run chmod go-w on it");
  }

  @Test
  void tokenReadableByOthersIsRefused() throws Exception {
    mode(token, "rw-r--r--");
    assertThatThrownBy(this::check)
        .isInstanceOf(UnsafePermissionsException.class)
        .hasMessageContaining(
            token
                + " (API token file) has mode rw-r--r--: readable by others;"
                + " run chmod 640 on it");
  }

  @Test
  void kafkaSecretFilesReadableByOthersAreRefused() throws Exception {
    Path password = dir.resolve("kafka-password");
    Files.writeString(password, "s3cret\n");
    mode(password, "rw-r--r--");
    Path key = dir.resolve("kafka-client.key");
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n");
    mode(key, "rw-rw----");
    Path ca = dir.resolve("kafka-ca.pem");
    Files.writeString(ca, "-----BEGIN CERTIFICATE-----\n");
    mode(ca, "rw-r--r--"); // a CA is public: no rule
    Files.writeString(
        config,
        Files.readString(config)
            .replace(
                "  arrow:",
                ("  kafka:\n"
                    + "    - bootstrap-servers: [127.0.0.1:9093]\n"
                    + "      topic: flows\n"
                    + "      tls: {ca: %s, cert: %s, key: %s}\n"
                    + "      sasl: {username: flowgate, password-file: %s}\n"
                    + "  arrow:")
                    .formatted(ca, ca, key, password)));
    assertThatThrownBy(this::check)
        .isInstanceOf(UnsafePermissionsException.class)
        .hasMessageContaining(
            key
                + " (Kafka client key of kafka:flows@127.0.0.1:9093) has mode rw-rw----: writable"
                + " by its group; run chmod 640 on it")
        .hasMessageContaining(
            password
                + " (SCRAM password file of kafka:flows@127.0.0.1:9093) has mode rw-r--r--:"
                + " readable by others; run chmod 640 on it")
        .satisfies(e -> assertThat(((UnsafePermissionsException) e).problems()).hasSize(2));
    mode(password, "rw-r-----");
    mode(key, "rw-------");
    check();
  }

  @Test
  void stateFilesOthersCanChangeAreRefused() throws Exception {
    Path slots = Files.writeString(state.resolve("slots"), "eth1 0\n");
    mode(slots, "rw-rw-rw-");
    mode(state, "rwxrwxrwx");
    assertThatThrownBy(this::check)
        .isInstanceOf(UnsafePermissionsException.class)
        .hasMessageContaining(state + " (state directory) has mode rwxrwxrwx")
        .satisfies(e -> assertThat(((UnsafePermissionsException) e).problems()).hasSize(1));
    mode(state, "rwxr-x---");
    assertThatThrownBy(this::check)
        .hasMessageContaining(slots + " (state file) has mode rw-rw-rw-");
  }

  @Test
  @Tag("kernel") // root: it gives a file away (chown)
  void filesOwnedBySomeoneElseAreRefused() throws Exception {
    Files.setAttribute(config, "unix:uid", 65534);
    assertThatThrownBy(this::check)
        .hasMessageContaining(
            config
                + " (config file) is owned by nobody, not by root or the user"
                + " flowgate runs as");
  }

  @Test
  void runRefusesWithExitTwoBeforeAttachingAnything() throws Exception {
    mode(token, "rw-rw-rw-");
    StringWriter err = new StringWriter();
    int code =
        Main.execute(
            new PrintWriter(new StringWriter()),
            new PrintWriter(err),
            "run",
            "--config",
            config.toString());
    assertThat(code).isEqualTo(Main.BAD_CONFIG);
    assertThat(err.toString())
        .startsWith("flowgate: unsafe permissions, refusing to start:")
        .contains(token + " (API token file) has mode rw-rw-rw-")
        .doesNotContain("Exception");
  }
}
