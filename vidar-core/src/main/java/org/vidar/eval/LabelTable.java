package org.vidar.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vidar.data.Excerpt;
import org.vidar.data.VideoReader;
import org.vidar.data.VideoRecord;

/**
 * The true labels of a set of videos by id, for scoring prediction files against them. Holds ids and
 * label indices only (tens of bytes a video), never features.
 */
public final class LabelTable {
  private final Map<String, Integer> index = new HashMap<>();
  private final List<String> ids = new ArrayList<>();
  private final List<int[]> labels = new ArrayList<>();

  /** Reads every video of {@code reader}; a video id seen twice is an error naming it. */
  public static LabelTable read(VideoReader reader) throws IOException {
    LabelTable table = new LabelTable();
    VideoRecord r;
    while ((r = reader.next()) != null) {
      Integer previous = table.index.putIfAbsent(r.id(), table.ids.size());
      if (previous != null) {
        throw new IOException("video id " + Excerpt.of(r.id()) + " appears twice in the labelled data (second time in "
            + reader.currentFile() + ")");
      }
      table.ids.add(r.id());
      table.labels.add(r.labels());
    }
    return table;
  }

  /** Number of videos. */
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
