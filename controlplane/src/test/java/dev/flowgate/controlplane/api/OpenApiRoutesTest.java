package dev.flowgate.controlplane.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** openapi.yaml and the router describe the same API: every path and method, both ways. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenApiRoutesTest extends ApiServerTestBase {

  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
  private static final Set<String> ERROR_STATUSES =
      Set.of("400", "401", "403", "404", "405", "409", "413", "415", "429", "500", "503");

  @Test
  void documentedRoutesEqualTheRoutersRoutes() throws Exception {
    JsonNode openapi = readOpenApi();
    List<String> documented = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = openapi.get("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      String vertxPath = path.getKey().replaceAll("\\{([^}]+)}", ":$1");
      for (Iterator<String> keys = path.getValue().fieldNames(); keys.hasNext(); ) {
        String key = keys.next();
        if (HTTP_METHODS.contains(key)) {
          documented.add(key.toUpperCase(Locale.ROOT) + " " + vertxPath);
        }
      }
    }
    List<String> routed = ApiRouter.describe(server.router());

    assertThat(routed).doesNotHaveDuplicates();
    assertThat(documented).doesNotHaveDuplicates();
    assertThat(new TreeSet<>(routed))
        .as("routes missing from openapi.yaml")
        .isSubsetOf(new TreeSet<>(documented));
    assertThat(new TreeSet<>(documented))
        .as("documented routes the router lacks")
        .isSubsetOf(new TreeSet<>(routed));
    assertThat(routed).hasSize(15);
  }

  @Test
  void documentIsOpenApi3WithOnlyTheErrorStatusesTheApiUses() throws Exception {
    JsonNode openapi = readOpenApi();
    assertThat(openapi.get("openapi").asText()).startsWith("3.0.");
    openapi
        .get("paths")
        .forEach(
            path ->
                path.fields()
                    .forEachRemaining(
                        op -> {
                          if (!HTTP_METHODS.contains(op.getKey())) {
                            return;
                          }
                          op.getValue()
                              .get("responses")
                              .fieldNames()
                              .forEachRemaining(
                                  status -> {
                                    if (status.compareTo("400") >= 0) {
                                      assertThat(status).isIn(ERROR_STATUSES);
                                    }
                                  });
                        }));
  }

  private static JsonNode readOpenApi() throws Exception {
    try (InputStream in = ApiServer.class.getResourceAsStream(ApiServer.OPENAPI_RESOURCE)) {
      return new YAMLMapper().readTree(in);
    }
  }
}
