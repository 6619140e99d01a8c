package uk.co.lchat.node.browser;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

/** One open page of a browser the tests drive (Chromium over DevTools, Firefox over WebDriver BiDi). */
public interface BrowserPage extends AutoCloseable {
  /** Evaluates an expression (awaiting a promise) as if the user acted, and returns its JSON value. */
  JsonNode eval(String expression) throws Exception;

  /** Polls {@code expression} until it is true. */
  default void waitFor(String expression, Duration timeout) throws Exception {
    waitFor(expression, timeout, null);
  }

  /** Polls {@code expression} until it is true; on timeout the failure shows the value of {@code diagnosis}. */
  default void waitFor(String expression, Duration timeout, String diagnosis) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode v = eval(expression);
      if (v != null && v.asBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        String seen = "";
        if (diagnosis != null) {
          try {
            seen = "; the page had " + eval(diagnosis);
          } catch (Exception e) {
            seen = "; the page could not say: " + e.getMessage();
          }
        }
        throw new AssertionError("timed out waiting for " + expression + seen);
      }
      Thread.sleep(200);
    }
  }

  /** Closes the page; its connections end with it. */
  @Override
  void close();
}
