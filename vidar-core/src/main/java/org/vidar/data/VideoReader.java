package org.vidar.data;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Streams the videos of a list of TFRecord files in order, decoding each record with the spec's
 * codec. Memory is one record buffer plus the current record, whatever the file sizes.
 *
 * <p>Under {@link BadRecordPolicy#FAIL} the first bad record throws a {@link BadRecordException}
 * naming file, record and byte offset. Under {@link BadRecordPolicy#SKIP} it is counted in
 * {@link #skipped()} and reading goes on: with the next record, or with the next file when the
 * problem leaves the rest of the file unreadable (a broken length or a truncated file).
 */
public final class VideoReader implements Closeable {
  private final List<InputFile> files;
  private final RecordCodec codec;
  private final BadRecordPolicy policy;
  private final boolean labelsOnly;
  private final SkipReport skipped = new SkipReport();
  private int fileIndex = -1;
  private TfRecordReader current;
  private long bytesDone;
  private long records;

  /** A reader of labelled videos: a record without the labels key is bad. */
  public VideoReader(List<InputFile> files, FeatureSpec spec, BadRecordPolicy policy) {
    this(files, spec, policy, LabelPolicy.REQUIRED, false);
  }

  /** A reader whose records need the labels key only under {@link LabelPolicy#REQUIRED}. */
  public VideoReader(List<InputFile> files, FeatureSpec spec, BadRecordPolicy policy, LabelPolicy labels) {
    this(files, spec, policy, labels, false);
  }

  private VideoReader(List<InputFile> files, FeatureSpec spec, BadRecordPolicy policy, LabelPolicy labels,
      boolean labelsOnly) {
    this.files = List.copyOf(files);
    this.codec = RecordCodec.forSpec(spec, labels);
    this.policy = policy;
    this.labelsOnly = labelsOnly;
  }

  /**
   * A reader that decodes ids and labels only (see {@link RecordCodec#decodeLabels}): the records it
   * returns have an empty feature row, and feature problems are not detected.
   */
  public static VideoReader labelsOnly(List<InputFile> files, FeatureSpec spec, BadRecordPolicy policy) {
    return labelsOnly(files, spec, policy, LabelPolicy.REQUIRED);
  }

  /** As {@link #labelsOnly(List, FeatureSpec, BadRecordPolicy)}, records needing the labels key under {@code labels} only. */
  public static VideoReader labelsOnly(List<InputFile> files, FeatureSpec spec, BadRecordPolicy policy,
      LabelPolicy labels) {
    return new VideoReader(files, spec, policy, labels, true);
  }

  /** The next video, or null after the last one. */
  public VideoRecord next() throws IOException {
    while (true) {
      if (current == null && !openNext()) {
        return null;
      }
      try {
        if (!current.next()) {
          closeCurrent();
          continue;
        }
      } catch (BadRecordException e) {
        handle(e);
        continue;
      }
      try {
        VideoRecord r = labelsOnly
            ? codec.decodeLabels(current.payload(), current.length())
            : codec.decode(current.payload(), current.length());
        records++;
        return r;
      } catch (InvalidRecordException e) {
        handle(new BadRecordException(current.name(), current.recordIndex(), current.recordOffset(),
            e.problem(), e.getMessage()));
      }
    }
  }

  private void handle(BadRecordException e) throws IOException {
    if (policy == BadRecordPolicy.FAIL) {
      throw e;
    }
    skipped.add(e);
    if (e.problem().losesRestOfFile()) {
      closeCurrent();
    }
  }

  /** Opens the next file that can be opened; a file that cannot be decompressed is a bad record 0 of it. */
  private boolean openNext() throws IOException {
    while (fileIndex + 1 < files.size()) {
      InputFile f = files.get(++fileIndex);
      try {
        current = new TfRecordReader(f.open(), f.name());
        return true;
      } catch (DataPaths.UnreadableFileException e) {
        handle(new BadRecordException(f.name(), 0, 0, RecordProblem.UNREADABLE_FILE, e.detail()));
      }
    }
    return false;
  }

  private void closeCurrent() throws IOException {
    if (current != null) {
      bytesDone += current.position();
      current.close();
      current = null;
    }
  }

  /** Records skipped so far (always empty under {@link BadRecordPolicy#FAIL}). */
  public SkipReport skipped() {
    return skipped;
  }

  /** Videos returned so far. */
  public long records() {
    return records;
  }

  /** Uncompressed bytes consumed so far, for progress reports. */
  public long bytesRead() {
    return bytesDone + (current == null ? 0 : current.position());
  }

  /** Frame-level videos so far that were longer than the spec's frame limit and were shortened. */
  public long truncatedVideos() {
    return codec instanceof SequenceExampleCodec s ? s.truncatedVideos() : 0;
  }

  /** The file being read, or null. */
  public String currentFile() {
    return current == null ? null : current.name();
  }

  @Override
  public void close() throws IOException {
    closeCurrent();
  }
}
