package uk.co.lchat.loadtest;

/** A node's GET /metrics as the tests read it: Prometheus text format, one sample per line. */
final class MetricsText {
  private MetricsText() {}

  /** The value of the sample {@code name} whose labels include {@code label} (any, if empty); 0 if none. */
  static double sample(String metrics, String name, String label) {
    Double v = find(metrics, name, label);
    return v == null ? 0 : v;
  }

  /** As {@link #sample}, failing the test when the node exports no such sample. */
  static double required(String metrics, String name, String label) {
    Double v = find(metrics, name, label);
    if (v == null) {
      throw new AssertionError("no " + name + " " + label + " in /metrics");
    }
    return v;
  }

  private static Double find(String metrics, String name, String label) {
    for (String line : metrics.split("\n")) {
      int space = line.lastIndexOf(' ');
      String key = space < 0 ? "" : line.substring(0, space);
      if ((key.equals(name) || key.startsWith(name + "{")) && key.contains(label)) {
        return Double.parseDouble(line.substring(space + 1));
      }
    }
    return null;
  }
}
