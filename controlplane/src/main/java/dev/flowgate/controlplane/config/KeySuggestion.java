package dev.flowgate.controlplane.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean": the known key closest to a mistyped one, if it is close enough. */
final class KeySuggestion {

  private KeySuggestion() {}

  /**
   * The known key closest to {@code typed} within an edit distance of 1 (words up to four letters),
   * 2 (up to seven) or 3 (longer), else the one key that starts with {@code typed} or that {@code
   * typed} starts with (four letters at least, e.g. {@code sample} for {@code sampling}); empty if
   * none.
   */
  static Optional<String> closest(String typed, List<String> known) {
    Optional<String> near = nearest(typed, known);
    if (near.isPresent() || typed.length() < 4) {
      return near;
    }
    List<String> prefixed =
        known.stream().filter(k -> k.startsWith(typed) || typed.startsWith(k)).toList();
    return prefixed.size() == 1 ? Optional.of(prefixed.get(0)) : Optional.empty();
  }

  private static Optional<String> nearest(String typed, List<String> known) {
    String lower = typed.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(lower, k);
      int longer = Math.max(lower.length(), k.length());
      int allowed = longer <= 4 ? 1 : longer <= 7 ? 2 : 3;
      if (d <= allowed && d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
