package uk.co.lchat.node.embed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The iframe API's script, one source ({@code embed/meeting-api.js}) served two ways: {@code /external_api.js}, a
 * classic script that defines {@code window.LunarChat} and takes the node's origin from its own address, and
 * {@code /external_api.mjs}, an ES module that exports {@code Meeting} and takes it from {@code import.meta.url}.
 * Any page may load either: the module with {@code Access-Control-Allow-Origin: *}, since a browser fetches a
 * module of another site in CORS mode (HTML §8.1.4.2) and the script holds nothing private. Built once, at start.
 */
public final class EmbedScripts extends AllDirectives {
  /** RFC 9239 §6: JavaScript's media type. */
  private static final ContentType JAVASCRIPT = ContentTypes.parse("text/javascript; charset=UTF-8");

  private final byte[] script;
  private final byte[] module;

  public EmbedScripts() {
    String api = resource("embed/meeting-api.js");
    this.script = ("(function () {\n" + api + resource("embed/as-script.js") + "})();\n")
        .getBytes(StandardCharsets.UTF_8);
    this.module = (api + resource("embed/as-module.js")).getBytes(StandardCharsets.UTF_8);
  }

  public Route routes() {
    return concat(
        path("external_api.js", () -> get(() -> complete(response(script, List.of())))),
        path("external_api.mjs", () -> get(() -> complete(response(module,
            List.of(RawHeader.create("Access-Control-Allow-Origin", "*")))))));
  }

  private static HttpResponse response(byte[] body, List<RawHeader> headers) {
    HttpResponse r = HttpResponse.create().withEntity(HttpEntities.create(JAVASCRIPT, body))
        // A host page gets a changed API within the hour, without asking on every page view.
        .addHeader(RawHeader.create("Cache-Control", "public, max-age=3600"))
        .addHeader(RawHeader.create("X-Content-Type-Options", "nosniff"));
    for (RawHeader h : headers) {
      r = r.addHeader(h);
    }
    return r;
  }

  private static String resource(String name) {
    try (InputStream in = EmbedScripts.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
