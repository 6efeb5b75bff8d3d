package org.vidar.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An output file that appears under its final name only when {@link #commit()} succeeds; see
 * {@link DataPaths#createAtomic}.
 */
public final class AtomicOutput implements Closeable {
  /** A step that may fail with an I/O error. */
  @FunctionalInterface
  interface IoAction {
    void run() throws IOException;
  }

  private final String location;
  private final OutputStream stream;
  private final IoAction publish;
  private final IoAction discard;
  private boolean done;

  AtomicOutput(String location, OutputStream stream, IoAction publish, IoAction discard) {
    this.location = location;
    this.stream = stream;
    this.publish = publish;
    this.discard = discard;
  }

  /** The final location. */
  public String location() {
    return location;
  }

  /** Where to write; do not close it, commit or close this instead. */
  public OutputStream stream() {
    return stream;
  }

  /** Flushes, closes and moves the file into place. */
  public void commit() throws IOException {
    if (done) {
      throw new IllegalStateException(location + " was already committed or discarded");
    }
    done = true;
    stream.close();
    publish.run();
  }

  /** Discards the temporary file unless committed. */
  @Override
  public void close() throws IOException {
    if (!done) {
      done = true;
      try {
        stream.close();
      } finally {
        discard.run();
      }
    }
  }
}
