package dev.flowgate.bpf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Struct and enum layouts as a compiled BPF object's BTF records them: what the compiler really
 * produced, to check {@link Layout} against.
 */
public final class ObjectBtf {
  private static final int ENOENT = 2;

  private ObjectBtf() {}

  /**
   * A struct's layout.
   *
   * @param name struct name without "struct "
   * @param size sizeof in bytes
   * @param members the members in declaration order
   */
  public record Struct(String name, int size, List<Member> members) {}

  /**
   * One struct member.
   *
   * @param name member name
   * @param offset byte offset
   * @param size size in bytes (arrays: the whole array)
   */
  public record Member(String name, int offset, int size) {}

  /**
   * Reads {@code struct name} from the object's BTF.
   *
   * @throws BpfException ENOENT if the BTF has no such struct
   */
  public static Struct struct(Path object, String name) {
    List<String> lines = describe(object, name, false);
    List<Member> members = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(" ");
      members.add(new Member(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2])));
    }
    return new Struct(name, Integer.parseInt(lines.get(0).split(" ")[1]), List.copyOf(members));
  }

  /**
   * Reads {@code enum name}'s enumerators, in declaration order, from the object's BTF (present
   * only if the program uses the type).
   *
   * @throws BpfException ENOENT if the BTF has no such enum
   */
  public static Map<String, Long> enumValues(Path object, String name) {
    List<String> lines = describe(object, name, true);
    Map<String, Long> values = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(" ");
      values.put(f[0], Long.parseLong(f[1]));
    }
    return values;
  }

  private static List<String> describe(Path object, String name, boolean isEnum) {
    NativeBpf.ensureAvailable();
    int[] err = new int[1];
    String text = describe0(object.toAbsolutePath().toString(), name, isEnum, err);
    String what = (isEnum ? "enum " : "struct ") + name + " in BTF of " + object;
    if (text == null) {
      throw BpfException.of("read " + what, err[0] != 0 ? err[0] : -ENOENT);
    }
    return List.of(text.split("\n"));
  }

  private static native String describe0(String path, String name, boolean isEnum, int[] err);
}
