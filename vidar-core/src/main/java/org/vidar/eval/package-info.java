/**
 * YouTube-8M evaluation: GAP@k, Hit@1, PERR, the starter code's top-k MAP and per-class AP computed
 * streaming, plus the Kaggle prediction CSV format.
 */
package org.vidar.eval;
