package org.vidar.data;

/**
 * Whether a record must carry the spec's labels key. Training and evaluation need labels, so a
 * record without the key is bad there; scoring needs none, and the videos users score (YouTube-8M's
 * test split, say) have no labels key at all.
 */
public enum LabelPolicy {
  /** A record without the labels key is bad ({@link RecordProblem#MISSING_KEY}). */
  REQUIRED,
  /** A record without the labels key reads as a video with no labels; labels that are there are checked as ever. */
  OPTIONAL
}
