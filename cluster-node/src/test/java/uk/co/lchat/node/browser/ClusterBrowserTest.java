package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/** A cluster of nodes in this JVM and one headless Chromium, for browser tests across nodes. */
abstract class ClusterBrowserTest {
  static final List<LchatNode> nodes = new ArrayList<>();
  static Chromium chromium;

  /** {@code count} nodes with the tests' default configuration, then the browser. */
  static void startCluster(int count) throws Exception {
    startCluster(count, java.util.Map.of());
  }

  /** ... with {@code settings} over the tests' defaults. */
  static void startCluster(int count, java.util.Map<String, Object> settings) throws Exception {
    assertTrue(Chromium.available(), "Debian's chromium must be installed (.ci/run installs it)");
    nodes.addAll(TestNodes.cluster(count, seeds -> com.typesafe.config.ConfigFactory.parseMap(settings)
        .withFallback(TestNodes.config(0, seeds))));
    chromium = Chromium.launch();
  }

  /**
   * A page of the e2e harness (e2e/call.html) on {@code node} that joined {@code room} as {@code name} and published
   * (a viewer only receives); fails if it could not.
   */
  static Chromium.Page joinCall(LchatNode node, String room, String name, boolean viewer) throws Exception {
    Chromium.Page page = chromium.open("http://127.0.0.1:" + node.httpPort() + "/e2e/call.html?room=" + room
        + "&name=" + name + (viewer ? "&viewer=1" : ""));
    page.waitFor("window.lchatTest && (window.lchatTest.published === true || window.lchatTest.errors.length > 0)",
        java.time.Duration.ofSeconds(30));
    com.fasterxml.jackson.databind.JsonNode errors = page.eval("window.lchatTest.errors");
    assertTrue(errors.isEmpty(), name + " could not join: " + errors);
    return page;
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (chromium != null) {
      chromium.close();
      chromium = null;
    }
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    nodes.clear();
  }
}
