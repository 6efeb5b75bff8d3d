package org.vidar.model.io;

/**
 * The safetensors element types Vidar reads and writes: 32-bit floats, and the two 16-bit floats
 * used for compact storage. Values are converted to and from {@code float} by {@link HalfFloats}.
 */
public enum Dtype {
  F32(4),
  F16(2),
  BF16(2);

  /** Every dtype name the safetensors format defines, so an unsupported one gets its own message. */
  private static final java.util.Set<String> FORMAT_DTYPES =
      java.util.Set.of(
          "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32",
          "F64", "I64", "U64");

  private final int bytes;

  Dtype(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** True for a dtype name the safetensors format defines (whether or not Vidar reads it). */
  static boolean isFormatDtype(String name) {
    return FORMAT_DTYPES.contains(name);
  }
}
