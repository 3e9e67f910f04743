package dev.flowgate.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flowgate.lab.Lab;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** sd_notify datagrams, received by a socket this test owns (a Debian python3 process). */
@Timeout(60)
class SystemdNotifyTest {
  private static final String RECEIVER =
      """
      import socket, sys
      name = sys.argv[1]
      s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
      s.bind('\\0' + name[1:] if name.startswith('@') else name)
      print('ready', flush=True)
      data = s.recv(4096)
      sys.stdout.write(data.hex() + '\\n')
      """;

  private final Lab lab = Lab.open();
  private Process receiver;

  @AfterEach
  void cleanUp() {
    if (receiver != null) {
      receiver.destroyForcibly();
    }
    lab.close();
  }

  private String receive(String socket, String state) throws Exception {
    receiver =
        new ProcessBuilder("/usr/bin/python3", "-c", RECEIVER, socket)
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(
            new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("ready");
    SystemdNotify.notify(socket, state);
    String hex = out.readLine();
    assertThat(receiver.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new String(java.util.HexFormat.of().parseHex(hex), StandardCharsets.UTF_8);
  }

  @Test
  void sendsTheStateToAPathSocket() throws Exception {
    String path = lab.tempDir().resolve("notify.sock").toString();
    assertThat(receive(path, "READY=1\nSTATUS=counting")).isEqualTo("READY=1\nSTATUS=counting");
  }

  @Test
  void sendsTheStateToAnAbstractSocket() throws Exception {
    String name = "@" + Lab.uniqueName() + "-notify";
    assertThat(receive(name, "STOPPING=1")).isEqualTo("STOPPING=1");
  }

  @Test
  void aMissingSocketIsAnIoError() throws Exception {
    String path = lab.tempDir().resolve("nobody.sock").toString();
    assertThatThrownBy(() -> SystemdNotify.notify(path, "READY=1"))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("No such file");
  }

  @Test
  void withoutNotifySocketThereIsNothingToDo() {
    if (System.getenv(SystemdNotify.NOTIFY_SOCKET) == null) {
      assertThat(SystemdNotify.notify("READY=1")).isFalse();
    } else {
      assertThat(SystemdNotify.notify("STATUS=test")).isTrue();
    }
  }
}
