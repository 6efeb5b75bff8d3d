package org.vidar.tfpeer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Formatter;
import java.util.Locale;

/**
 * Writes one epoch's validation scores in the Kaggle YouTube-8M format that {@code vidar eval} reads:
 * header {@value #HEADER}, then per video {@code id,c1 s1 c2 s2 ...} with its top k classes by score,
 * best first (ties by class index), scores with 6 decimals. Written to a temporary name and moved into
 * place, so a reader never sees half a file.
 */
final class PredictionCsv implements AutoCloseable {
  static final String HEADER = "VideoId,LabelConfidencePairs";

  private final Path target;
  private final Path temporary;
  private final Writer out;
  private final StringBuilder line = new StringBuilder(512);
  private final Formatter formatter = new Formatter(line, Locale.ROOT);
  private final int topK;
  private int[] topClasses;
  private boolean committed;

  /** Starts {@code target}, keeping the {@code topK} best classes per video. */
  PredictionCsv(Path target, int topK) throws IOException {
    this.target = target;
    this.temporary = target.resolveSibling(target.getFileName() + ".tmp");
    this.topK = topK;
    this.topClasses = new int[topK];
    this.out = new BufferedWriter(Files.newBufferedWriter(temporary, StandardCharsets.UTF_8), 1 << 16);
    out.write(HEADER);
    out.write('\n');
  }

  /** Writes the line of video {@code id} from its scores {@code scores[offset .. offset + classes)}. */
  void write(String id, float[] scores, int offset, int classes) throws IOException {
    int k = TopK.select(scores, offset, classes, Math.min(topK, classes), topClasses);
    line.setLength(0);
    line.append(id).append(',');
    for (int i = 0; i < k; i++) {
      float score = scores[offset + topClasses[i]];
      if (!Float.isFinite(score)) {
        throw new IOException(target + ": video " + id + " has score " + score + " for class "
            + topClasses[i] + " (training diverged?)");
      }
      if (i > 0) {
        line.append(' ');
      }
      line.append(topClasses[i]).append(' ');
      formatter.format("%.6f", score);
    }
    line.append('\n');
    out.append(line);
  }

  /** Finishes the file and moves it to its name. */
  void commit() throws IOException {
    out.close();
    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    committed = true;
  }

  /** Closes the file; without {@link #commit()} the partial file is deleted. */
  @Override
  public void close() throws IOException {
    if (!committed) {
      try {
        out.close();
      } finally {
        Files.deleteIfExists(temporary);
      }
    }
  }
}
