package dev.flowgate.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flowgate.bpf.ObjectBtf.Struct;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Layout, the Java mirror of flowgate.h, against what clang really laid out (BTF). */
@Timeout(60)
class LayoutTest {
  @Test
  void everyStructMatchesTheRealObjectsBtfMemberByMember() {
    for (Struct expected : Layout.structs()) {
      Struct actual = ObjectBtf.struct(TestObjects.flowgate(), expected.name());
      assertThat(actual).as("struct %s", expected.name()).isEqualTo(expected);
    }
  }

  @Test
  void everyStructMatchesTheTestObjectBuiltFromTheSameHeader() {
    for (Struct expected : Layout.structs()) {
      if (!expected.name().equals("flow_key") && !expected.name().equals("flow_stats")) {
        continue; // t_counter uses only flow_key and flow_stats
      }
      assertThat(ObjectBtf.struct(TestObjects.test("t_counter"), expected.name()))
          .isEqualTo(expected);
    }
  }

  @Test
  void everyEnumHasTheValuesLayoutNames() {
    // t_counter uses every enum of flowgate.h in a variable, so all are in its BTF
    for (Map.Entry<String, List<String>> e : Layout.enums().entrySet()) {
      Map<String, Long> actual = ObjectBtf.enumValues(TestObjects.test("t_counter"), e.getKey());
      List<Long> values = new ArrayList<>();
      for (int i = 0; i < e.getValue().size(); i++) {
        values.add((long) i);
      }
      assertThat(List.copyOf(actual.keySet())).as("enum %s", e.getKey()).isEqualTo(e.getValue());
      assertThat(List.copyOf(actual.values())).as("enum %s", e.getKey()).isEqualTo(values);
    }
    assertThat(Layout.DP_ERROR_NAMES).hasSize(Layout.DP_ERROR_MAX);
    assertThat(ObjectBtf.enumValues(TestObjects.test("t_counter"), "fg_direction"))
        .containsEntry("FG_DIR_INGRESS", (long) Layout.DIR_INGRESS)
        .containsEntry("FG_DIR_EGRESS", (long) Layout.DIR_EGRESS)
        .containsEntry("FG_DIR_MAX", (long) Layout.DIR_MAX);
  }

  @Test
  void enumsTheRealObjectCarriesAgreeToo() {
    Map<String, Long> dirs = ObjectBtf.enumValues(TestObjects.flowgate(), "fg_direction");
    assertThat(dirs)
        .containsExactly(
            Map.entry("FG_DIR_INGRESS", 0L),
            Map.entry("FG_DIR_EGRESS", 1L),
            Map.entry("FG_DIR_MAX", 2L));
  }

  @Test
  void aMissingTypeIsAnEnoentBpfException() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ObjectBtf.struct(TestObjects.flowgate(), "no_such_struct"))
        .isInstanceOfSatisfying(BpfException.class, e -> assertThat(e.errno()).isEqualTo(2));
  }
}
