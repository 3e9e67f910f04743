package dev.flowgate.controlplane.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.controlplane.config.AttachMode;
import dev.flowgate.controlplane.config.Direction;
import dev.flowgate.controlplane.config.InterfaceConfig;
import dev.flowgate.controlplane.config.InterfaceName;
import io.vertx.core.buffer.Buffer;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads the bodies of mutating calls into {@link InterfaceConfig} and {@link InterfacePatch}, field
 * by field, so each refusal says which field is wrong and why (unknown fields included).
 */
final class RequestBodies {

  private static final Set<String> SPEC_FIELDS = Set.of("name", "mode", "direction", "sampling");
  private static final Set<String> PATCH_FIELDS = Set.of("mode", "direction", "sampling");

  private RequestBodies() {}

  /**
   * The body of {@code POST /api/v1/interfaces}.
   *
   * @throws ApiException 400 naming the field that is wrong
   */
  static InterfaceConfig interfaceSpec(Buffer body) {
    JsonNode json = ApiJson.parseObject(body);
    refuseUnknownFields(json, SPEC_FIELDS);
    JsonNode name = json.get("name");
    if (name == null || !name.isTextual()) {
      throw ApiException.badRequest("'name' is required: an interface name or /regex/");
    }
    String problem = InterfaceName.problem(name.textValue());
    if (problem != null) {
      throw ApiException.badRequest("name: " + problem);
    }
    return new InterfaceConfig(
        name.textValue(),
        mode(json).orElse(InterfaceConfig.DEFAULT_MODE),
        direction(json).orElse(InterfaceConfig.DEFAULT_DIRECTION),
        sampling(json).orElse(InterfaceConfig.DEFAULT_SAMPLING));
  }

  /**
   * The body of {@code PATCH /api/v1/interfaces/{id}}: at least one field.
   *
   * @throws ApiException 400 naming the field that is wrong
   */
  static InterfacePatch interfacePatch(Buffer body) {
    JsonNode json = ApiJson.parseObject(body);
    if (json.has("name")) {
      throw ApiException.badRequest("'name' cannot be changed: delete the entry and add a new one");
    }
    refuseUnknownFields(json, PATCH_FIELDS);
    InterfacePatch patch = new InterfacePatch(mode(json), direction(json), sampling(json));
    if (patch.isEmpty()) {
      throw ApiException.badRequest("the patch sets nothing: give mode, direction or sampling");
    }
    return patch;
  }

  private static void refuseUnknownFields(JsonNode json, Set<String> known) {
    for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
      String field = names.next();
      if (!known.contains(field)) {
        throw ApiException.badRequest(
            "unknown field '" + field + "'; known: " + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  private static Optional<AttachMode> mode(JsonNode json) {
    return enumField(
        json,
        "mode",
        name -> Optional.ofNullable(AttachMode.fromLabel(name)),
        "xdp, xdp-generic, tc");
  }

  private static Optional<Direction> direction(JsonNode json) {
    return enumField(
        json,
        "direction",
        name -> Optional.ofNullable(Direction.fromLabel(name)),
        "ingress, egress, both");
  }

  private static Optional<Integer> sampling(JsonNode json) {
    JsonNode node = json.get("sampling");
    if (node == null) {
      return Optional.empty();
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
      throw ApiException.badRequest(
          "'sampling' is an integer from 0 (off) to 2147483647, was " + node);
    }
    return Optional.of(node.intValue());
  }

  private static <T> Optional<T> enumField(
      JsonNode json, String field, Function<String, Optional<T>> parse, String allowed) {
    JsonNode node = json.get(field);
    if (node == null) {
      return Optional.empty();
    }
    Optional<T> value = node.isTextual() ? parse.apply(node.textValue()) : Optional.empty();
    if (value.isEmpty()) {
      throw ApiException.badRequest("'" + field + "' is one of " + allowed + ", was " + node);
    }
    return value;
  }
}
