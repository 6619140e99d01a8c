package uk.co.lchat.node.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;

/** A single node on free ports and one headless Debian Chromium, shared by a test class's tests. */
public abstract class SingleNodeBrowserTest {
  protected static LchatNode node;
  protected static Chromium chromium;

  @BeforeAll
  static void startNodeAndBrowser() throws Exception {
    assertTrue(Chromium.available(), "Debian's chromium must be installed (.ci/run installs it)");
    node = TestNodes.single();
    chromium = Chromium.launch();
  }

  @AfterAll
  static void stopNodeAndBrowser() throws Exception {
    if (chromium != null) {
      chromium.close();
      chromium = null;
    }
    if (node != null) {
      node.close();
      node = null;
    }
  }
}
