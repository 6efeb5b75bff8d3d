package org.vidar.data;

import java.io.IOException;
import java.io.InputStream;

/** One input file on any supported file system: its name for messages, its size and how to open it. */
public interface InputFile {
  /** The path or URI, as used in messages. */
  String name();

  /** Size in bytes as stored (compressed size for gzip files). */
  long length();

  /** Opens the file for reading, decompressing {@code .gz} files; the caller closes the stream. */
  InputStream open() throws IOException;
}
