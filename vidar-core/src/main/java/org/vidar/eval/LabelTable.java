package org.vidar.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vidar.data.Excerpt;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;

/**
 * The true labels of a set of videos by id, for scoring prediction files against them. Holds ids and
 * label indices only (tens of bytes a video), never features. Unlabelled videos (records without the
 * labels key) are kept apart, by id only: they are not scored, and a prediction for one is counted as
 * such rather than as an unknown id.
 */
public final class LabelTable {
  private final Map<String, Integer> index = new HashMap<>();
  private final Set<String> unlabelled = new HashSet<>();
  private final List<String> ids = new ArrayList<>();
  private final List<int[]> labels = new ArrayList<>();
  private int largestLabel = -1;

  /**
   * Reads every video of {@code reader}, labelled ones into the table and unlabelled ones (see
   * {@link VideoRecord#labelled}) into their own set; a video id seen twice is an error naming it.
   */
  public static LabelTable read(VideoReader reader) throws IOException {
    LabelTable table = new LabelTable();
    VideoRecord r;
    while ((r = reader.next()) != null) {
      if (table.index.containsKey(r.id()) || table.unlabelled.contains(r.id())) {
        throw new IOException("video id " + Excerpt.of(r.id()) + " appears twice in the data (second time in "
            + reader.currentFile() + ")");
      }
      if (!r.labelled()) {
        table.unlabelled.add(r.id());
        continue;
      }
      table.index.put(r.id(), table.ids.size());
      table.ids.add(r.id());
      table.labels.add(r.labels());
      for (int label : r.labels()) {
        table.largestLabel = Math.max(table.largestLabel, label);
      }
    }
    return table;
  }

  /** The largest label of the labelled videos, or -1 when they have none. */
  public int largestLabel() {
    return largestLabel;
  }

  /** Number of unlabelled videos read (not in the table). */
  public int unlabelledCount() {
    return unlabelled.size();
  }

  /** Whether {@code id} is an unlabelled video that was read. */
  public boolean isUnlabelled(String id) {
    return unlabelled.contains(id);
  }

  /** Number of labelled videos. */
  public int size() {
    return ids.size();
  }

  /** The position of a video id, or -1 when it is not in the table. */
  public int indexOf(String id) {
    Integer i = index.get(id);
    return i == null ? -1 : i;
  }

  /** The id at a position. */
  public String id(int i) {
    return ids.get(i);
  }

  /** The labels at a position. */
  public int[] labels(int i) {
    return labels.get(i);
  }
}
