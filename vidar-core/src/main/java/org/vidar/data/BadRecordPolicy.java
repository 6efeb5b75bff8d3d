package org.vidar.data;

/** What a reader does with a bad record: stop with an error (the default) or skip and count it. */
public enum BadRecordPolicy {
  FAIL,
  SKIP
}
