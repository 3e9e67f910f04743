package dev.flowgate.controlplane.packaging;

import dev.flowgate.lab.Frame;
import dev.flowgate.lab.Frames;
import dev.flowgate.lab.VethPair;
import java.util.ArrayList;
import java.util.List;

/** Known UDP frames from a veth's b end to its a end: {@code flows} flows of 3 packets each. */
public record LabTraffic(List<byte[]> frames, long packets, long bytes) {

  /** Frames for {@code flows} UDP flows from source ports {@code basePort}.. */
  public static LabTraffic udp(VethPair veth, int flows, int basePort) {
    List<byte[]> frames = new ArrayList<>();
    long bytes = 0;
    for (int f = 0; f < flows; f++) {
      for (int p = 0; p < 3; p++) {
        Frame fr =
            Frames.ipv4("198.51.100." + (1 + f % 250), "203.0.113.9")
                .macs(veth.b().mac(), veth.a().mac())
                .udp(basePort + f, 53)
                .payload(20 + p * 10)
                .build();
        frames.add(fr.bytes());
        bytes += fr.ipLength();
      }
    }
    return new LabTraffic(frames, frames.size(), bytes);
  }
}
