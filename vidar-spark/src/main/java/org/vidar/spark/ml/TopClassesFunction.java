package org.vidar.spark.ml;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.vidar.data.FeatureSpec;
import org.vidar.data.VideoRecord;
import org.vidar.data.batch.VideoBatch;
import org.vidar.eval.TopClasses;
import org.vidar.model.VideoModel;
import org.vidar.spark.ModelBytes;

/**
 * One partition's rows, each with its video's top-k classes (array&lt;int&gt;, best first) and their
 * scores (array&lt;float&gt;) appended: the broadcast model scores {@code chunkRows} videos at a time,
 * normalized as in training ({@link VideoBatch#append}), with {@link TopClasses}' order, as
 * {@code vidar predict} ranks them. Map-only; memory is one chunk of rows.
 */
final class TopClassesFunction implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  private static final int[] NO_LABELS = new int[0];
  private final Broadcast<ModelBytes> model;
  private final VideoColumns columns;
  private final int[] featuresAt;
  private final int topK;
  private final int chunkRows;

  TopClassesFunction(Broadcast<ModelBytes> model, VideoColumns columns, int[] featuresAt, int topK, int chunkRows) {
    this.model = model;
    this.columns = columns;
    this.featuresAt = featuresAt.clone();
    this.topK = topK;
    this.chunkRows = chunkRows;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    VideoModel m = model.value().model();
    return new Scored(rows, m);
  }

  /** The input rows, scored a chunk at a time as they are asked for. */
  private final class Scored implements Iterator<Row> {
    private final Iterator<Row> input;
    private final VideoModel.Scorer scorer;
    private final int classes;
    private final int dimension;
    private final VideoBatch batch;
    private final List<Row> chunk = new ArrayList<>();
    private final List<Row> out = new ArrayList<>();
    private final int[] top;
    private final float[] best;
    private float[] probs = new float[0];
    private int next;

    Scored(Iterator<Row> input, VideoModel m) {
      this.input = input;
      this.scorer = m.newScorer();
      this.classes = m.config().numClasses();
      this.dimension = m.config().inputDim();
      this.batch = new VideoBatch(FeatureSpec.Level.VIDEO, dimension);
      this.top = new int[Math.min(topK, classes)];
      this.best = new float[top.length];
    }

    @Override
    public boolean hasNext() {
      if (next < out.size()) {
        return true;
      }
      scoreChunk();
      return next < out.size();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return out.get(next++);
    }

    private void scoreChunk() {
      out.clear();
      chunk.clear();
      next = 0;
      batch.clear();
      while (chunk.size() < chunkRows && input.hasNext()) {
        Row row = input.next();
        float[] features = new float[dimension];
        columns.read(row, featuresAt, features);
        batch.append(new VideoRecord("", NO_LABELS, 1, features), null);
        chunk.add(row);
      }
      if (chunk.isEmpty()) {
        return;
      }
      if (probs.length < chunk.size() * classes) {
        probs = new float[chunk.size() * classes];
      }
      scorer.score(batch, probs);
      for (int i = 0; i < chunk.size(); i++) {
        int n = TopClasses.select(probs, i * classes, classes, topK, top, best);
        Integer[] topClasses = new Integer[n];
        Float[] scores = new Float[n];
        for (int j = 0; j < n; j++) {
          topClasses[j] = top[j];
          scores[j] = best[j];
        }
        Row row = chunk.get(i);
        Object[] values = new Object[row.length() + 2];
        for (int c = 0; c < row.length(); c++) {
          values[c] = row.get(c);
        }
        values[row.length()] = topClasses;
        values[row.length() + 1] = scores;
        out.add(RowFactory.create(values));
      }
    }
  }
}
