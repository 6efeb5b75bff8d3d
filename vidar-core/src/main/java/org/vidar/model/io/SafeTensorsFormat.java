package org.vidar.model.io;

/**
 * Constants of the safetensors layout: an 8-byte little-endian header length N, N bytes of UTF-8
 * JSON naming each tensor's dtype, shape and byte range, then the raw little-endian data.
 *
 * <p>Why our own code and no library: no maintained Java safetensors library fits (the JVM ones are
 * bindings to the Rust crate or unmaintained), and the format is small enough to read and check
 * completely in a few hundred lines: 8 bytes, a JSON object, and raw data. The files we write are
 * read by Python's {@code safetensors} package and by plain numpy.
 */
final class SafeTensorsFormat {
  /** The header key holding the string-to-string metadata map. */
  static final String METADATA_KEY = "__metadata__";
  /** Same bound as the reference implementation: a header this big is not a model file. */
  static final long MAX_HEADER_BYTES = 100_000_000L;
  /** Bytes moved per chunk when streaming data; a multiple of every element size. */
  static final int CHUNK_BYTES = 1 << 16;

  private SafeTensorsFormat() {}
}
