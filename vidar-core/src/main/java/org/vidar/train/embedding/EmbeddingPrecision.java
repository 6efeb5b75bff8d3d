package org.vidar.train.embedding;

import java.util.Locale;
import org.vidar.model.io.HalfFloats;

/**
 * How Stage 1's embedding table is stored: float32 (exact), or IEEE half (float16) or bfloat16,
 * which halve the table on disk and in memory; the heads then train on the rounded embeddings. The
 * rounding is to nearest, ties to even ({@link HalfFloats}), and every engine rounds the same way.
 */
public enum EmbeddingPrecision {
  FLOAT32(4),
  FLOAT16(2),
  BFLOAT16(2);

  private final int bytes;

  EmbeddingPrecision(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes a stored value takes. */
  public int bytes() {
    return bytes;
  }

  /** The bits a 16-bit precision stores for {@code v}; not for float32. */
  public short toBits(float v) {
    return switch (this) {
      case FLOAT16 -> HalfFloats.floatToHalf(v);
      case BFLOAT16 -> HalfFloats.floatToBfloat16(v);
      case FLOAT32 -> throw new UnsupportedOperationException("float32 is stored as it is");
    };
  }

  /** The value that {@link #toBits} bits stand for (exact). */
  public float fromBits(short bits) {
    return switch (this) {
      case FLOAT16 -> HalfFloats.halfToFloat(bits);
      case BFLOAT16 -> HalfFloats.bfloat16ToFloat(bits);
      case FLOAT32 -> throw new UnsupportedOperationException("float32 is stored as it is");
    };
  }

  /**
   * The 16-bit bits of an embedding value, refusing a finite value this precision cannot hold
   * (float16 overflows above 65504), so that no embedding silently becomes infinite.
   *
   * @throws IllegalArgumentException naming {@code where} when the value overflows
   */
  public short checkedBits(float v, String where) {
    short bits = toBits(v);
    if (Float.isFinite(v) && Float.isInfinite(fromBits(bits))) {
      throw new IllegalArgumentException(where + ": embedding value " + v + " overflows " + label()
          + "; store embeddings as bfloat16 or float32 instead");
    }
    return bits;
  }

  /** The name on the command line: float32, float16 or bfloat16. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses float32, float16 or bfloat16 (any case). */
  public static EmbeddingPrecision parse(String s) {
    for (EmbeddingPrecision p : values()) {
      if (p.label().equalsIgnoreCase(s.trim())) {
        return p;
      }
    }
    throw new IllegalArgumentException("embedding precision must be float32, float16 or bfloat16, got '" + s + "'");
  }
}
