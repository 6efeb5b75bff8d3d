package org.vidar.tfpeer;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Renders maps, lists, strings, numbers, booleans and nulls as indented JSON, enough for peer.json
 * without a JSON library on this module's classpath.
 */
final class Json {
  private Json() {}

  /** The JSON text of {@code value}. */
  static String render(Object value) {
    StringBuilder sb = new StringBuilder();
    append(sb, value, 0);
    return sb.append('\n').toString();
  }

  private static void append(StringBuilder sb, Object value, int indent) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof String s) {
      quote(sb, s);
    } else if (value instanceof Double d && !Double.isFinite(d)
        || value instanceof Float f && !Float.isFinite(f)) {
      sb.append("null");
    } else if (value instanceof Number || value instanceof Boolean) {
      sb.append(value);
    } else if (value instanceof Map<?, ?> map) {
      sb.append('{');
      Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        newline(sb, indent + 1);
        quote(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        append(sb, e.getValue(), indent + 1);
        if (it.hasNext()) {
          sb.append(',');
        }
      }
      newline(sb, indent);
      sb.append('}');
    } else if (value instanceof List<?> list) {
      sb.append('[');
      for (int i = 0; i < list.size(); i++) {
        newline(sb, indent + 1);
        append(sb, list.get(i), indent + 1);
        if (i + 1 < list.size()) {
          sb.append(',');
        }
      }
      newline(sb, indent);
      sb.append(']');
    } else {
      throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
    }
  }

  private static void newline(StringBuilder sb, int indent) {
    sb.append('\n');
    sb.append("  ".repeat(indent));
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
