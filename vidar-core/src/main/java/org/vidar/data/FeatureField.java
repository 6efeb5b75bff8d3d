package org.vidar.data;

/** One named feature of a record and its number of values per video (or per frame). */
public record FeatureField(String name, int size) implements java.io.Serializable {
  public FeatureField {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("feature name must not be empty");
    }
    if (size <= 0) {
      throw new IllegalArgumentException("feature " + Excerpt.of(name) + " must have a positive size, got " + size);
    }
  }

  /** Parses {@code name:size}, the form used on the command line. */
  public static FeatureField parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("feature " + Excerpt.of(text) + " must be written name:size");
    }
    try {
      return new FeatureField(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("feature " + Excerpt.of(text) + " has a size that is not a number");
    }
  }

  @Override
  public String toString() {
    return name + ":" + size;
  }
}
