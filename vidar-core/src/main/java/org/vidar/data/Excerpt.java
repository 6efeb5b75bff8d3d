package org.vidar.data;

/**
 * A string from the input (a video id, a key, a value, a name in a model file) as a message quotes
 * it: whole when short, else its first {@value #KEPT} characters and its length, so a 200 MB video
 * id makes one short line, not a 200 MB log. Line breaks and other control characters are escaped,
 * so a message stays one line whatever the data hold.
 */
public final class Excerpt {
  /** Characters of a longer string that a message keeps. */
  public static final int KEPT = 40;

  private Excerpt() {}

  /** {@code 'abc'}, or {@code 'abc…' (200000000 chars)} for a string longer than {@value #KEPT} characters. */
  public static String of(String s) {
    if (s == null) {
      return "null";
    }
    int end = s.length();
    if (end > KEPT) {
      end = KEPT;
      if (Character.isHighSurrogate(s.charAt(end - 1))) {
        end--; // never half a character
      }
    }
    StringBuilder sb = new StringBuilder(end + 24).append('\'');
    for (int i = 0; i < end; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    if (end < s.length()) {
      sb.append("…' (").append(s.length()).append(" chars)");
    } else {
      sb.append('\'');
    }
    return sb.toString();
  }
}
