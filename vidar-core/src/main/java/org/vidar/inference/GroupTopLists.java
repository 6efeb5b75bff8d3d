package org.vidar.inference;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.vidar.data.Excerpt;

/**
 * The intermediate file of scoring by class groups: for one input file and one class group, every
 * video's best classes of that group, in the input file's video order, so that the files of all
 * groups of one input can be merged in step. The job's own data, written and read by the same
 * build and deleted once merged; the reader still checks what it reads.
 *
 * <p>Format: a sequence of videos until the end of the file, each big-endian as
 * {@link DataOutputStream} writes it: the video id ({@code writeUTF}: a 2-byte length and modified
 * UTF-8), {@code short} count n (at most {@link #MAX_COUNT}), then n pairs of {@code int} class
 * index and {@code float} score, best first.
 */
public final class GroupTopLists {
  /** Most classes a video's list holds. */
  public static final int MAX_COUNT = Short.MAX_VALUE;

  private GroupTopLists() {}

  /** Writes one group's lists; a {@link ClassGroupScorer.TopSink}. */
  public static final class Writer implements ClassGroupScorer.TopSink {
    private final DataOutputStream out;

    /** Writes to {@code out}; {@link #flush} before closing it. */
    public Writer(OutputStream out) {
      this.out = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
    }

    @Override
    public void video(String id, int[] classes, float[] scores, int count) throws IOException {
      if (count < 0 || count > MAX_COUNT) {
        throw new IllegalArgumentException("video " + Excerpt.of(id) + ": " + count + " classes, at most " + MAX_COUNT);
      }
      out.writeUTF(id);
      out.writeShort(count);
      for (int i = 0; i < count; i++) {
        out.writeInt(classes[i]);
        out.writeFloat(scores[i]);
      }
    }

    /** Pushes what is buffered to the stream. */
    public void flush() throws IOException {
      out.flush();
    }
  }

  /** Reads one group's lists back, video by video. */
  public static final class Reader implements Closeable {
    private final DataInputStream in;
    private final String name;
    private final int numClasses;
    private final int maxCount;
    private String id;
    private int count;
    private int[] classes = new int[0];
    private float[] scores = new float[0];

    /**
     * Reads {@code in}, named {@code name} in errors; class indices must lie below
     * {@code numClasses}, and a list may hold {@code maxCount} classes at most (the k of top-k).
     */
    public Reader(InputStream in, String name, int numClasses, int maxCount) {
      this.in = new DataInputStream(new BufferedInputStream(in, 1 << 16));
      this.name = name;
      this.numClasses = numClasses;
      this.maxCount = maxCount;
    }

    /** Moves to the next video; false at the end of the file. */
    public boolean next() throws IOException {
      try {
        id = in.readUTF();
      } catch (EOFException e) {
        id = null;
        return false;
      }
      try {
        count = in.readShort();
        if (count < 0 || count > maxCount) {
          throw new IOException(name + ": video " + Excerpt.of(id) + " has " + count + " classes, not 0.." + maxCount);
        }
        if (classes.length < count) {
          classes = new int[count];
          scores = new float[count];
        }
        for (int i = 0; i < count; i++) {
          classes[i] = in.readInt();
          scores[i] = in.readFloat();
          if (classes[i] < 0 || classes[i] >= numClasses) {
            throw new IOException(name + ": video " + Excerpt.of(id) + ": class " + classes[i] + " outside 0.." + (numClasses - 1));
          }
        }
      } catch (EOFException e) {
        throw new IOException(name + ": truncated in the list of video " + Excerpt.of(id), e);
      }
      return true;
    }

    /** The current video's id. */
    public String id() {
      return id;
    }

    /** Classes in the current video's list. */
    public int count() {
      return count;
    }

    /** Copies the current list into {@code toClasses} and {@code toScores} from {@code at}; returns its length. */
    public int copyTo(int[] toClasses, float[] toScores, int at) {
      System.arraycopy(classes, 0, toClasses, at, count);
      System.arraycopy(scores, 0, toScores, at, count);
      return count;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
