package uk.co.lchat.node.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractUri;
import static org.apache.pekko.http.javadsl.server.Directives.handleExceptions;
import static org.apache.pekko.http.javadsl.server.Directives.handleRejections;
import static org.apache.pekko.http.javadsl.server.Directives.withRequestTimeoutResponse;

import java.util.List;

import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one error shape of the node's machine-facing routes, the server API and WHIP/WHEP:
 * {@code {"error": "<code>", "message": "<sentence>"}} as {@code application/json}. Besides the routes' own errors,
 * {@link #on} gives it to what pekko-http would otherwise answer in plain text under those paths: a body over the
 * route's size limit (413), a method the route does not take (405, with {@code Allow}), an unknown route (404), a
 * request that timed out (503), an exception (500). Requests too malformed to reach a route get it from
 * {@link JsonParsingErrors}.
 */
public final class JsonErrors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonErrors() {}

  /** An error response: {@code status}, {@code code} (a word clients may switch on) and a {@code message}. */
  public static HttpResponse response(int status, String code, String message) {
    return HttpResponse.create().withStatus(status).withEntity(entity(code, message));
  }

  static HttpEntity.Strict entity(String code, String message) {
    return HttpEntities.create(ContentTypes.APPLICATION_JSON,
        JSON.createObjectNode().put("error", code).put("message", message).toString());
  }

  /** The code for a status that has no more specific one. */
  static String code(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 406 -> "not_acceptable";
      case 408 -> "request_timeout";
      case 413 -> "too_large";
      case 414 -> "uri_too_long";
      case 415 -> "unsupported_media_type";
      case 431 -> "headers_too_large";
      case 503 -> "unavailable";
      case 504 -> "timeout";
      default -> status >= 500 ? "internal" : "bad_request";
    };
  }

  /** A body over the limit: {@code withSizeLimit} (64 KiB on these routes) or pekko's max-content-length. */
  static HttpResponse tooLarge(EntityStreamSizeException e) {
    String size = e.actualSize().isDefined() ? " (" + e.actualSize().get() + " bytes)" : "";
    return response(413, "too_large", "The request body is over the limit of " + e.limit() + " bytes" + size
        + ".");
  }

  /**
   * {@code inner}, with every error it would give under {@code prefixes} (each a path such as {@code /api}, which
   * covers itself and everything below it) in the JSON shape. Requests for other paths pass through untouched, so
   * routes after this one (the web client's files, share links) still see them.
   */
  public static Route on(List<String> prefixes, Route inner) {
    return extractUri(uri -> {
      String path = uri.path();
      if (prefixes.stream().noneMatch(p -> path.equals(p) || path.startsWith(p + "/"))) {
        return inner;
      }
      return withRequestTimeoutResponse(request -> response(503, "unavailable",
              "The node did not answer in time; try again."),
          () -> handleExceptions(EXCEPTIONS, () -> handleRejections(REJECTIONS, () -> inner)));
    });
  }

  private static final RejectionHandler REJECTIONS = RejectionHandler.newBuilder()
      .handle(MalformedRequestContentRejection.class, r -> complete(r.getCause() instanceof EntityStreamSizeException e
          ? tooLarge(e) : response(400, "bad_request", "The request body could not be read: " + r.message())))
      .build()
      // Everything else as pekko-http answers it (status, headers such as Allow, its sentence), turned into JSON.
      .withFallback(RejectionHandler.defaultHandler().mapRejectionResponse(JsonErrors::fromPlainText));

  private static final ExceptionHandler EXCEPTIONS = ExceptionHandler.newBuilder()
      .match(EntityStreamSizeException.class, e -> complete(tooLarge(e)))
      .match(IllegalRequestException.class, e -> complete(response(e.status().intValue(), code(e.status().intValue()),
          e.info().summary())))
      .matchAny(e -> complete(response(500, "internal", "The node could not handle this request.")))
      .build();

  /** A plain-text error response as the same status, headers and sentence in JSON. */
  static HttpResponse fromPlainText(HttpResponse plain) {
    String text = plain.entity() instanceof HttpEntity.Strict strict ? strict.getData().utf8String().strip() : "";
    int status = plain.status().intValue();
    return plain.withEntity(entity(code(status), text.isEmpty() ? plain.status().reason() + "." : text));
  }
}
