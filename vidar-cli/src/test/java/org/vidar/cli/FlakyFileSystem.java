package org.vidar.cli;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the {@code flaky://} scheme (registered for tests through
 * {@code META-INF/services}), which can make one read of one file fail halfway, as a network file
 * system's hiccup does: only inside a Spark task's first attempt, so the driver's reads pass and the
 * retried task reads the whole file.
 */
public final class FlakyFileSystem extends RawLocalFileSystem {
  private static final URI NAME = URI.create("flaky:///");
  private static final AtomicReference<String> ARMED = new AtomicReference<>();
  private static final AtomicInteger FAULTS = new AtomicInteger();

  /** The next read by a Spark task's first attempt of the file whose path ends with {@code suffix} fails halfway through. */
  static void failOnce(String suffix) {
    FAULTS.set(0);
    ARMED.set(suffix);
  }

  /** Faults injected since {@link #failOnce}. */
  static int faults() {
    return FAULTS.get();
  }

  @Override
  public String getScheme() {
    return "flaky";
  }

  @Override
  public URI getUri() {
    return NAME;
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    FSDataInputStream in = super.open(f, bufferSize);
    String suffix = ARMED.get();
    org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
    if (suffix == null || task == null || task.attemptNumber() > 0 || !f.toString().endsWith(suffix)
        || !ARMED.compareAndSet(suffix, null)) {
      return in;
    }
    long failAt = getFileStatus(f).getLen() / 2;
    return new FSDataInputStream(new FSInputStream() {
      private void check(long next) throws IOException {
        if (in.getPos() + next > failAt) {
          FAULTS.incrementAndGet();
          throw new IOException("injected fault: " + f + " unreadable after byte " + failAt);
        }
      }

      @Override
      public int read() throws IOException {
        check(1);
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        check(Math.min(len, 1));
        return in.read(b, off, (int) Math.min(len, Math.max(1, failAt - in.getPos())));
      }

      @Override
      public void seek(long pos) throws IOException {
        in.seek(pos);
      }

      @Override
      public long getPos() throws IOException {
        return in.getPos();
      }

      @Override
      public boolean seekToNewSource(long targetPos) {
        return false;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    });
  }
}
