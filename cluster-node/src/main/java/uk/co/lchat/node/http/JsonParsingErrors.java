package uk.co.lchat.node.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.DefaultParsingErrorHandler$;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * What pekko-http answers a request it cannot parse far enough to route (a malformed header, a URI or headers over
 * the parser's limits, an unsupported HTTP version): pekko's own status, log line and sentence, in the
 * {@link JsonErrors} shape. Named by {@code pekko.http.server.parsing.error-handler}; pekko makes it with its
 * no-argument constructor.
 */
public final class JsonParsingErrors extends ParsingErrorHandler {
  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    return JsonErrors.fromPlainText(DefaultParsingErrorHandler$.MODULE$.handle(status, info, log, settings));
  }
}
