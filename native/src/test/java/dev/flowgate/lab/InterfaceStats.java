package dev.flowgate.lab;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The kernel's counters of one interface, as {@code ip -s link} shows them. */
public record InterfaceStats(
    long rxPackets, long rxBytes, long rxDropped, long txPackets, long txBytes, long txDropped) {

  private static final Pattern RX = block("rx");
  private static final Pattern TX = block("tx");

  private static Pattern block(String dir) {
    return Pattern.compile(
        "\"stats64\":\\{.*?\""
            + dir
            + "\":\\{\"bytes\":(\\d+),\"packets\":(\\d+),\"errors\":\\d+,\"dropped\":(\\d+)",
        Pattern.DOTALL);
  }

  /** Parses the JSON of {@code ip -j -s link show dev NAME}. */
  static InterfaceStats parse(String json) {
    Matcher rx = RX.matcher(json);
    Matcher tx = TX.matcher(json);
    if (!rx.find() || !tx.find()) {
      throw new LabException("no stats64 rx/tx in: " + json);
    }
    return new InterfaceStats(
        Long.parseLong(rx.group(2)),
        Long.parseLong(rx.group(1)),
        Long.parseLong(rx.group(3)),
        Long.parseLong(tx.group(2)),
        Long.parseLong(tx.group(1)),
        Long.parseLong(tx.group(3)));
  }
}
