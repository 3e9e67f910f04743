package dev.flowgate.controlplane.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** flowgate's version, from the Maven descriptor inside the controlplane jar. */
public final class FlowgateVersion implements CommandLine.IVersionProvider {

  /** What {@link #version()} says when run from classes outside a jar (a development build). */
  public static final String UNKNOWN = "dev";

  private static final String POM_PROPERTIES =
      "/META-INF/maven/dev.flowgate/flowgate-controlplane/pom.properties";

  /** The version, e.g. {@code 0.1.0-SNAPSHOT}, or {@value #UNKNOWN}. */
  public static String version() {
    try (InputStream in = FlowgateVersion.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in == null) {
        return UNKNOWN;
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", UNKNOWN);
    } catch (IOException e) {
      return UNKNOWN;
    }
  }

  /** The line {@code flowgate version} prints: {@code flowgate 0.1.0-SNAPSHOT}. */
  public static String line() {
    return "flowgate " + version();
  }

  @Override
  public String[] getVersion() {
    return new String[] {line()};
  }
}
