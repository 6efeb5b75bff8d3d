package org.vidar.tfpeer;

import java.util.List;

/** Videos held in memory with their ids and label indices, whatever their input features. */
interface LabelledVideos {
  /** The number of videos. */
  int size();

  /** The video ids, in file order. */
  List<String> ids();

  /** Per video, its label indices. */
  int[][] labels();

  /** The floats of one model input row: a video's features, or one frame's. */
  int dimension();
}
